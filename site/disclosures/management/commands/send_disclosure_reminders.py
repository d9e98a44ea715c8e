from django.core.management.base import BaseCommand
from django_tasks.base import TaskResultStatus

from disclosures.tasks import send_disclosure_reminders


class Command(BaseCommand):
    help = (
        "E-mail each center's editors before a disclosure falls due (按期公开): enqueue the "
        "task disclosures.tasks.send_disclosure_reminders (run at once when settings.TASKS "
        "has no worker backend). Each period is reminded once, so it is safe to run more "
        "than once a day. Run daily from cron, e.g. "
        "'0 8 * * * cd /srv/jiamenkou && .venv/bin/python manage.py send_disclosure_reminders'."
        " Mail goes through Django's EMAIL_* settings (EMAIL_HOST … in the environment). "
        "--now runs it in this process whatever the backend."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Run here instead of enqueueing it.")

    def handle(self, *args, now=False, **options):
        if now:
            self.report(send_disclosure_reminders.call())
            return
        result = send_disclosure_reminders.enqueue()
        if result.status == TaskResultStatus.SUCCESSFUL:
            self.report(result.return_value)
        elif result.status == TaskResultStatus.FAILED:
            self.stderr.write(f"发送公开提醒失败（任务 {result.id}）。")
            raise SystemExit(1)
        else:
            self.stdout.write(f"已加入任务队列：{result.id}")

    def report(self, sent):
        if not sent:
            self.stdout.write("今天没有需要发送的公开提醒。")
            return
        for entry in sent:
            self.stdout.write(
                f"已提醒 {entry['center']} {entry['item']}（{entry['due_on']} 截止）："
                f"{entry['recipients']} 位编辑"
            )
        self.stdout.write(f"共发送 {sum(entry['recipients'] for entry in sent)} 封提醒邮件。")
