"""Running the incident-channels notebooks (Rust kernel, evcxr) headless and with
parameters: `translator` writes papermill's parameters as Rust, `client` executes a
notebook without losing evcxr's late output lines."""
