from django.core.management.base import BaseCommand
from django_tasks.base import TaskResultStatus

from search.tasks import learn_from_clicks


class Command(BaseCommand):
    help = (
        "Recompute the search's learned boosts from what residents opened: enqueue the task "
        "search.tasks.learn_from_clicks (run at once when settings.TASKS has no worker "
        "backend). Run daily from cron, e.g. "
        "'30 3 * * * cd /srv/jiamenkou && .venv/bin/python manage.py learn_from_clicks'. "
        "--now runs it in this process whatever the backend."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Run here instead of enqueueing it.")

    def handle(self, *args, now=False, **options):
        if now:
            self.report(learn_from_clicks.call())
            return
        result = learn_from_clicks.enqueue()
        if result.status == TaskResultStatus.SUCCESSFUL:
            self.report(result.return_value)
        elif result.status == TaskResultStatus.FAILED:
            self.stderr.write(f"重新计算点击调整失败（任务 {result.id}）。")
            raise SystemExit(1)
        else:
            self.stdout.write(f"已加入任务队列：{result.id}")

    def report(self, summary):
        if summary["frozen"]:
            self.stdout.write(f"点击学习已冻结：未重新计算，保留现有的{summary['boosts']}条调整。")
            return
        self.stdout.write(
            f"已根据{summary['votes']}条点击信号计算出{summary['boosts']}条调整；"
            f"删除过期信号{summary['pruned']}条。"
        )
