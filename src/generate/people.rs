//! The cast of the generated workspace: who works there and what they do in incidents.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_points_at_the_lead() {
        assert_eq!(PEOPLE[LEAD].role, Role::Lead);
    }
}
