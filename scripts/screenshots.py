"""PNGs of every public page type (jiamenkou.public_pages) at 360 and 1,366 px wide, in the
normal and the 关怀版 mode, for reviewing design changes by eye: `make screenshots`.

Stands on its own: the demo is loaded into a throwaway SQLite database, served from this
process on a free port and photographed with Debian's chromium (`make chromium` installs
it, and a Chinese font). Writes var/screenshots/ (emptied first) with an index.html.
"""

import argparse
import html
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "site"), str(ROOT)]

WIDTHS = {360: 740, 1366: 900}  # width: height of the window
MODES = ("normal", "elderly")
#: A long list is cut here (CSS pixels): enough to judge the design, not a 20,000 px strip.
MAX_HEIGHT = 6000
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def chromium_path() -> str | None:
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


def warn_without_chinese_font() -> None:
    if not shutil.which("fc-list"):
        return
    fonts = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    )
    if not fonts.stdout.strip():
        print(
            "警告：没有中文字体，截图中的汉字会显示为方框（以 root 运行 make chromium 安装 fonts-noto-cjk）。"
        )


def load_demo(workdir: Path) -> None:
    """Django on a fresh SQLite database in workdir, migrated, with the demo loaded."""
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    for name in ("REDIS_URL", "ELASTICSEARCH_URL"):  # the page's own search, a local cache
        os.environ.pop(name, None)
    # The test settings: DEBUG off (the real 404 page), any host, media in a temp folder.
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiamenkou.settings.test"
    # Playwright runs an event loop in this thread; the ORM calls here stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django
    from django.core.management import call_command

    django.setup()
    print("建立临时数据库并载入演示数据（约一两分钟）…")
    call_command("migrate", interactive=False, verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", password=secrets.token_urlsafe(12), stdout=quiet)


def serve():
    """The site, its static and media files, on a free local port; returns the thread."""
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 404 page is expected
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    server = LiveServerThread("127.0.0.1", StaticFilesHandler)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    return server


def photograph(base_url: str, pages, out: Path, executable: str) -> list[tuple]:
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for width, height in WIDTHS.items():
            for mode in MODES:
                context = browser.new_context(
                    viewport={"width": width, "height": height}, locale="zh-CN"
                )
                if mode == "elderly":
                    context.add_cookies([{"name": "elderly_mode", "value": "1", "url": base_url}])
                page = context.new_page()
                for number, (page_type, path) in enumerate(pages, start=1):
                    page.goto(base_url + path)
                    full_height = page.evaluate("document.documentElement.scrollHeight")
                    file = out / f"{number:02d}-{page_type.name}-{width}-{mode}.png"
                    page.screenshot(
                        path=file,
                        full_page=True,
                        clip={
                            "x": 0,
                            "y": 0,
                            "width": width,
                            "height": min(full_height, MAX_HEIGHT),
                        },
                    )
                    shots.append((page_type, path, width, mode, file.name))
                context.close()
        browser.close()
    return shots


def write_index(out: Path, shots: list[tuple]) -> Path:
    rows = []
    for page_type, path, width, mode, name in shots:
        caption = f"{page_type.label} · {width} px · {'关怀版' if mode == 'elderly' else '标准版'}"
        rows.append(
            f'<figure><a href="{name}"><img src="{name}" width="{min(width, 360)}" '
            f'alt="{html.escape(caption)}"></a><figcaption>{html.escape(caption)}<br>'
            f"<code>{html.escape(path)}</code></figcaption></figure>"
        )
    index = out / "index.html"
    index.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>页面截图</title>'
        "<style>body{font-family:sans-serif;display:flex;flex-wrap:wrap;gap:1rem}"
        "figure{margin:0;width:360px}img{border:1px solid #ccc;height:auto;max-height:480px;"
        "object-fit:cover;object-position:top}</style>" + "".join(rows),
        encoding="utf-8",
    )
    return index


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    args = parser.parse_args()

    executable = chromium_path()
    if not executable:
        print("没有找到 chromium：以 root 运行 make chromium 安装（Debian 的 chromium 软件包）。")
        return 1
    warn_without_chinese_font()

    with tempfile.TemporaryDirectory(prefix="jiamenkou-screenshots-") as workdir:
        load_demo(Path(workdir))
        from django.conf import settings

        from jiamenkou.public_pages import PUBLIC_PAGE_TYPES, public_pages

        pages = public_pages(strict=False)
        missing = [entry.label for entry in PUBLIC_PAGE_TYPES if entry not in dict(pages)]
        if missing:
            print("演示数据中没有这些页面，未截图：" + "、".join(missing))
        server = serve()
        try:
            out = args.out
            if out.exists():
                shutil.rmtree(out)
            out.mkdir(parents=True)
            shots = photograph(f"http://127.0.0.1:{server.port}", pages, out, executable)
        finally:
            server.terminate()
            shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)  # the test settings' temp media
    index = write_index(out, shots)
    print(
        f"{len(shots)} 张截图（{len(pages)} 种页面 × 360/1366 px × 标准版/关怀版）已保存在 {out}/"
    )
    print(f"总览：{index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
