//! The cast of the generated workspace: who works there and what they do in incidents.

use crate::export::model::User;

/// A generated person (or bot) and their role.
pub struct Person {
    pub name: &'static str,
    pub real_name: &'static str,
    pub title: &'static str,
    pub role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Sre,
    Developer,
    Support,
    Lead,
    Bot,
}

const fn p(name: &'static str, real_name: &'static str, title: &'static str, role: Role) -> Person {
    Person {
        name,
        real_name,
        title,
        role,
    }
}

/// Index in [`PEOPLE`] of the engineering lead: escalations go to them.
pub const LEAD: usize = 17;

/// Everyone, in user-id order.
pub const PEOPLE: &[Person] = &[
    p("arjun", "Arjun Mehra", "SRE", Role::Sre),
    p("meera", "Meera Iyer", "SRE", Role::Sre),
    p("vikram", "Vikram Sethi", "Senior SRE", Role::Sre),
    p("neha", "Neha Kapoor", "SRE", Role::Sre),
    p("rohit", "Rohit Bansal", "SRE", Role::Sre),
    p("ankit", "Ankit Rao", "Backend Engineer", Role::Developer),
    p("priya", "Priya Nair", "Backend Engineer", Role::Developer),
    p("karan", "Karan Gill", "Platform Engineer", Role::Developer),
    p("sana", "Sana Qureshi", "Search Engineer", Role::Developer),
    p(
        "ishaan",
        "Ishaan Dutta",
        "Frontend Engineer",
        Role::Developer,
    ),
    p("tara", "Tara Joshi", "Backend Engineer", Role::Developer),
    p(
        "jatin",
        "Jatin Arora",
        "Messaging Engineer",
        Role::Developer,
    ),
    p("lena", "Lena Fischer", "Product Engineer", Role::Developer),
    p("omar", "Omar Haddad", "Data Engineer", Role::Developer),
    p("ritu", "Ritu Malhotra", "Support Lead", Role::Support),
    p("amit", "Amit Saxena", "Support Engineer", Role::Support),
    p("pooja", "Pooja Verma", "Support Engineer", Role::Support),
    p("varun", "Varun Khanna", "VP Engineering", Role::Lead),
    p("nikhil", "Nikhil Chawla", "Head of Product", Role::Lead),
    p("pagerduty", "PagerDuty", "", Role::Bot),
    p("monitor", "Monitoring bot", "", Role::Bot),
];

/// An incident's topic word, the component it points at, and a one-line description.
pub struct Trouble {
    pub word: &'static str,
    pub component: &'static str,
    pub brief: &'static str,
    pub vendor: Option<&'static str>,
}

const fn t(
    word: &'static str,
    component: &'static str,
    brief: &'static str,
    vendor: Option<&'static str>,
) -> Trouble {
    Trouble {
        word,
        component,
        brief,
        vendor,
    }
}

/// What goes wrong, roughly by how often.
pub const TROUBLES: &[Trouble] = &[
    t(
        "cron",
        "Cron workers",
        "Crons delayed for several helpdesks",
        None,
    ),
    t(
        "email",
        "Email pipeline",
        "Outgoing emails delayed",
        Some("Sendgrid"),
    ),
    t("search", "Search", "Search results stale or failing", None),
    t("db", "Database", "Database connections saturated", None),
    t("queue", "Job queue", "Queue backlog growing", None),
    t(
        "realtime",
        "Realtime dispatch",
        "Realtime updates not reaching agents",
        Some("Realtime"),
    ),
    t("nginx", "Nginx", "502s from the web tier", None),
    t("spam", "Spam filter", "Spam flood on a helpdesk", None),
    t("signup", "Trial signups", "Trial signups failing", None),
    t("backup", "DB backups", "Nightly DB backup missed", None),
    t("api", "Public API", "API latency above SLA", None),
    t("helpdesk", "Helpdesk app", "Helpdesks loading slowly", None),
    t("login", "Auth service", "Agents unable to log in", None),
    t("dns", "DNS", "Domains not resolving", Some("Dynect")),
    t(
        "ssl",
        "SSL termination",
        "Certificate errors on custom domains",
        None,
    ),
    t(
        "attachments",
        "File storage",
        "Attachments failing to upload",
        Some("AWS"),
    ),
    t("reports", "Reporting", "Reports timing out", None),
    t("webhooks", "Webhooks", "Webhooks not firing", None),
    t("redis", "Redis", "Redis memory near limit", None),
    t(
        "mobile",
        "Mobile push",
        "Push notifications delayed",
        Some("AWS"),
    ),
];

/// The cast's users padded to `total` with colleagues who never post in a channel, as
/// in a company-wide export where incident responders are a few among thousands. The
/// cast keep their ids and order and are spread evenly through the list (the first after
/// a block of colleagues, the last at the end), so that finding one is neither the
/// cheapest nor the dearest lookup. `total` at or below the cast's size changes nothing.
pub(crate) fn with_colleagues(cast: Vec<User>, total: usize) -> Vec<User> {
    let extra = total.saturating_sub(cast.len());
    if extra == 0 || cast.is_empty() {
        return cast;
    }
    let n = cast.len();
    let mut users = Vec::with_capacity(n + extra);
    let mut made = 0;
    for (i, person) in cast.into_iter().enumerate() {
        while made < extra * (i + 1) / n {
            users.push(colleague(made));
            made += 1;
        }
        users.push(person);
    }
    users
}

/// The `k`-th colleague who never posts: ids in a range of their own.
fn colleague(k: usize) -> User {
    let mut extra = serde_json::Map::new();
    extra.insert(
        "profile".into(),
        serde_json::json!({
            "real_name": format!("Colleague {k}"),
            "display_name": format!("colleague{k:05}"),
            "title": "",
        }),
    );
    User {
        id: format!("U{:08X}", 0x0C00_0000 + k as u32),
        name: format!("colleague{k:05}"),
        real_name: Some(format!("Colleague {k}")),
        deleted: false,
        is_bot: false,
        tz: Some("Asia/Kolkata".into()),
        extra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_points_at_the_lead() {
        assert_eq!(PEOPLE[LEAD].role, Role::Lead);
    }

    #[test]
    fn colleagues_pad_the_list_and_spread_the_cast() {
        let cast: Vec<User> = (0..3).map(|k| colleague(100 + k)).collect();
        let ids: Vec<String> = cast.iter().map(|u| u.id.clone()).collect();
        assert_eq!(with_colleagues(cast.clone(), 2).len(), 3);
        let users = with_colleagues(cast, 12);
        assert_eq!(users.len(), 12);
        let at: Vec<usize> = ids
            .iter()
            .map(|id| users.iter().position(|u| &u.id == id).unwrap())
            .collect();
        assert_eq!(at, [3, 7, 11]);
        let mut all: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 12, "ids are unique");
    }
}
