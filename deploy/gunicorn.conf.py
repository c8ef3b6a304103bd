"""gunicorn's settings for the web server: read by pitstop-web.service
(`--config`) and by the bench (scripts/bench), so that what is measured is what
runs. The counts were chosen by measurement on 2 vCPUs, the default instance
(t4g.small): docs/performance.md, "Workers and threads". WEB_CONCURRENCY (the
variable gunicorn itself reads) sets another worker count for a bigger
instance."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = 1
worker_class = "sync"
# Under nginx's proxy_read_timeout: a stuck request is gunicorn's to kill (and
# log), not a bare 504.
timeout = 60
graceful_timeout = 30
