"""Background work of search, run with django-tasks (the backend in settings.TASKS;
without one, django-tasks' ImmediateBackend runs a task as soon as it is enqueued).

``learn_from_clicks`` rebuilds the learned boosts from the residents' click votes
(:mod:`search.learning`). Run it daily from cron, e.g.
``30 3 * * * cd /srv/jiamenkou && .venv/bin/python manage.py learn_from_clicks``.
"""

from django_tasks import task

from search.learning import recompute_boosts


@task()
def learn_from_clicks() -> dict:
    """Recompute every learned boost (nothing while the editors have frozen learning)."""
    return recompute_boosts()
