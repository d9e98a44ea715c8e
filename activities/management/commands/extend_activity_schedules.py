from django.core.management.base import BaseCommand
from django_tasks.base import TaskResultStatus

from activities.tasks import extend_activity_schedules


class Command(BaseCommand):
    help = (
        "Keep repeating activities scheduled a year ahead: enqueue the task "
        "activities.tasks.extend_activity_schedules (run at once when settings.TASKS has no "
        "worker backend). Run daily from cron, e.g. "
        "'15 3 * * * cd /srv/jiamenkou && .venv/bin/python manage.py extend_activity_schedules'. "
        "--now runs it in this process whatever the backend."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Run here instead of enqueueing it.")

    def handle(self, *args, now=False, **options):
        if now:
            self.report(extend_activity_schedules.call())
            return
        result = extend_activity_schedules.enqueue()
        if result.status == TaskResultStatus.SUCCESSFUL:
            self.report(result.return_value)
        elif result.status == TaskResultStatus.FAILED:
            self.stderr.write(f"延长活动排期失败（任务 {result.id}）。")
            raise SystemExit(1)
        else:
            self.stdout.write(f"已加入任务队列：{result.id}")

    def report(self, summary):
        self.stdout.write(
            f"已延长{len(summary['extended'])}个活动的排期；"
            f"{len(summary['clashed'])}个因功能室冲突未延长：{summary['clashed'] or '无'}"
        )
