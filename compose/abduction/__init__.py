"""Reading cells without labels: what abduction is asked and concludes (``episodes``),
appearance groups, the search for the kinds that explain the expert's actions under the rules,
and clustering across episodes. Imports ``compose.common`` alone."""
