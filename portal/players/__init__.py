"""Players: profiles (a guardian's children or the account holder), proof of age,
and the registrar's review of each profile."""
