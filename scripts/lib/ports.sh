# free_port N: prints the first loopback port from N to N+200 that nothing listens on (for throwaway test services).
free_port() {
  local port
  for port in $(seq "$1" "$(($1 + 200))"); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}
