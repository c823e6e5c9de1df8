"""Ready-to-paste code that points each real SDK at the local receiver (from reference/sdk_endpoints.md).

Pure functions of the receiver's base URL. The Python and Node snippets are complete programs that send one
report each; the tests run them as they are against a live receiver, so what the panel offers is known to work.
The tokens are placeholders the receiver accepts (it checks that a token is present, not that it is real).
"""

from __future__ import annotations

from dataclasses import dataclass

ROLLBAR_TOKEN = "aaaabbbbccccddddeeeeffff00001111"
BACKTRACE_TOKEN = "0123456789abcdef" * 4
APPCENTER_SECRET = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True, slots=True)
class Snippet:
    """``key`` is stable (tests and settings use it); ``language`` names the highlighter (python, javascript...)."""

    key: str
    title: str
    language: str
    code: str
    notes: str = ""


def snippets(base_url: str) -> list[Snippet]:
    """Every snippet for a receiver at ``base_url`` (``http://127.0.0.1:8000``, no trailing slash)."""
    base = base_url.rstrip("/")
    host_port = base.split("://", 1)[-1]
    return [
        Snippet(
            "pyrollbar",
            "Rollbar — pyrollbar (Python)",
            "python",
            f"""import rollbar

rollbar.init(
    "{ROLLBAR_TOKEN}",
    environment="capture-test",
    endpoint="{base}/api/1/",  # must end with '/': the SDK appends 'item/'
    handler="blocking",  # the default 'thread' handler posts in the background
)
try:
    {{}}["missing"]
except KeyError:
    rollbar.report_exc_info()
rollbar.report_message("hello from pyrollbar", level="warning")
rollbar.wait()
""",
            "pyrollbar: endpoint='http://host/api/1' (no trailing slash) posts to /api/item/ and gets a 404.",
        ),
        Snippet(
            "rollbar-js",
            "Rollbar — rollbar.js (Node or browser)",
            "javascript",
            f"""const Rollbar = require('rollbar');

const rollbar = new Rollbar({{
  accessToken: '{ROLLBAR_TOKEN}',
  environment: 'capture-test',
  endpoint: '{base}/api/1/item/',  // the full URL, path included
  captureUncaught: false,
  captureUnhandledRejections: false,
}});
rollbar.error(new Error('hello from rollbar.js'), {{ order_id: 42 }});
rollbar.wait(() => process.exit(0));
""",
            "Browser builds take the same endpoint option (the page must be allowed to reach 127.0.0.1).",
        ),
        Snippet(
            "backtrace-python",
            "Backtrace — backtracepython (Python)",
            "python",
            f"""import backtracepython as bt

bt.initialize(
    endpoint="{base}",  # posts to {base}/post?token=...&format=json
    token="{BACKTRACE_TOKEN}",
    attributes={{"application": "capture-test"}},
    disable_global_handler=True,
)
try:
    {{}}["missing"]
except KeyError:
    bt.send_last_exception()
bt.finalize()
""",
            "For the hosted URL form use endpoint='{base}/<universe>/<token>/json' with token=None.",
        ),
        Snippet(
            "backtrace-node",
            "Backtrace — @backtrace/node",
            "javascript",
            f"""const {{ BacktraceClient }} = require('@backtrace/node');

const client = BacktraceClient.initialize({{
  url: '{base}',  // any path is dropped: reports go to /post?format=json&token=...
  token: '{BACKTRACE_TOKEN}',
  userAttributes: {{ application: 'capture-test', 'application.version': '1.2.3' }},
  breadcrumbs: {{ enable: false }},  // with breadcrumbs on, every report is multipart
  metrics: {{ enable: false }},
  database: {{ enable: false }},
  captureUnhandledErrors: false,
  captureUnhandledPromiseRejections: false,
}});
client.send(new Error('hello from @backtrace/node'), {{ order_id: 42 }})
  .then(() => {{ client.dispose(); process.exit(0); }});
""",
        ),
        Snippet(
            "crashpad",
            "Backtrace — Crashpad / Breakpad (native minidumps)",
            "bash",
            f"""# Crashpad handler (gzips the upload unless --no-upload-gzip):
crashpad_handler --url="{base}/post?format=minidump&token={BACKTRACE_TOKEN}" ...

# or the submit form:
#   --url="{base}/myuniverse/{BACKTRACE_TOKEN}/minidump"

# Upload a minidump by hand (multipart, like Breakpad):
curl -F upload_file_minidump=@crash.dmp -F version=1.0 \\
  "{base}/post?format=minidump&token={BACKTRACE_TOKEN}"
""",
        ),
        Snippet(
            "appcenter-android",
            "App Center — Android (Java)",
            "java",
            f"""// before AppCenter.start(); plain http needs android:usesCleartextTraffic or a network-security config
AppCenter.setLogUrl("http://{_android_host(host_port)}");
AppCenter.start(getApplication(), "{APPCENTER_SECRET}", Crashes.class);
""",
            "The Android emulator reaches the computer's 127.0.0.1 as 10.0.2.2 (shown above). "
            "Bodies of 1400 bytes or more are gzipped.",
        ),
        Snippet(
            "appcenter-apple",
            "App Center — Apple (Swift / Objective-C)",
            "swift",
            f"""// Swift, before AppCenter.start; App Transport Security must allow http to this host
AppCenter.logUrl = "{base}"
AppCenter.start(withAppSecret: "{APPCENTER_SECRET}", services: [Crashes.self])

// Objective-C
[MSACAppCenter setLogUrl:@"{base}"];
[MSACAppCenter start:@"{APPCENTER_SECRET}" withServices:@[[MSACCrashes class]]];
""",
            "The iOS simulator shares the computer's network, so 127.0.0.1 works there.",
        ),
        Snippet(
            "appcenter-dotnet",
            "App Center — .NET (MAUI, Xamarin, WPF, WinForms)",
            "csharp",
            f"""AppCenter.SetLogUrl("{base}");  // before Start
AppCenter.Start("{APPCENTER_SECRET}", typeof(Crashes));
""",
        ),
        Snippet(
            "curl",
            "Any API — curl",
            "bash",
            f"""curl -H "X-Rollbar-Access-Token: {ROLLBAR_TOKEN}" -H "Content-Type: application/json" \\
  --data-binary @item.json {base}/api/1/item/
curl -H "Content-Type: application/json" --data-binary @report.json \\
  "{base}/post?format=json&token={BACKTRACE_TOKEN}"
curl -H "App-Secret: {APPCENTER_SECRET}" -H "Install-ID: {APPCENTER_SECRET}" \\
  -H "Content-Type: application/json" --data-binary @logs.json "{base}/logs?api-version=1.0.0"
""",
        ),
    ]


def _android_host(host_port: str) -> str:
    host, _, port = host_port.rpartition(":")
    return f"10.0.2.2:{port}" if host in ("127.0.0.1", "localhost") else host_port


def snippet(base_url: str, key: str) -> Snippet:
    for item in snippets(base_url):
        if item.key == key:
            return item
    raise KeyError(key)


__all__ = ["APPCENTER_SECRET", "BACKTRACE_TOKEN", "ROLLBAR_TOKEN", "Snippet", "snippet", "snippets"]
