"""The district's page tree (home, streets, centers, notices) and site-wide settings."""
