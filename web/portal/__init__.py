"""The self-service portal for customers: no login, one case per portal session."""
