"""Container healthcheck: exit 0 when /healthz answers 200 (database up; broker may be degraded).

Usage: python deploy/healthcheck.py [URL]   (default http://127.0.0.1:8000/healthz)

Production settings reject a Host header not in ALLOWED_HOSTS, so the probe
sends the first allowed host. Standard library only: it runs in the image
without Django being set up.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def probe_host() -> str | None:
    allowed = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]
    if not allowed:
        return None
    host = allowed[0]
    # ".example.org" also matches "example.org"; "*" matches anything.
    return "localhost" if host == "*" else host.lstrip(".")


def main(url: str) -> int:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    host = probe_host()
    if host:
        request.add_header("Host", host)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read().decode(errors="replace")
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read().decode(errors="replace"), error.code
    except OSError as error:
        print(f"healthcheck: {url}: {error}", file=sys.stderr)
        return 1
    print(body)
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_URL))
