"""Reading cells without labels: appearance groups, the search for the kinds that explain the
expert's actions under the rules, and clustering across episodes."""
