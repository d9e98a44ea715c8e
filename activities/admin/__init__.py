"""The admin of activities: each module registers its own Wagtail hooks and views."""
