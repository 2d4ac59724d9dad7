# Sourced by run.sh and warm-ingest.sh: writes $work/trackside.yml with the benchmarks' two
# destinations — a webhook to a live receiver (nginx on 127.0.0.1:18998, started here; its pid in
# $work/nginx.pid for the caller's clean-up) and one to a closed port, down the whole time.
two_destinations() {
  local work=$1 rport=18998
  cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; client_max_body_size 10m;
  server { listen 127.0.0.1:$rport; location / { return 200 '{}'; } } }
CONF
  nginx -c "$work/nginx.conf" -p "$work"
  cat >"$work/trackside.yml" <<YML
destinations:
  - id: live
    type: webhook
    url: http://127.0.0.1:$rport/hook
    secret: bench
    unknown-consent: grant
  - id: down
    type: webhook
    url: http://127.0.0.1:9/hook
    unknown-consent: grant
YML
}
