# CPU accounting shared by the bench scripts: sample the CPU seconds of
# Plaudit's processes, PostgreSQL's (the postmaster, its background
# processes and the backends of one database) and Redis while a load runs,
# then print them per operation.
# Use: set cpu_file, cpu_db (the PostgreSQL database, "" for SQLite) and
# cpu_server (plaudit's pid); cpu_sample & ; …load…; kill it; cpu_report N.

# cpu_pids prints "<group> <pid>" for every process whose CPU counts.
cpu_pids() {
	echo "plaudit $cpu_server"
	if [[ -n $cpu_db ]]; then
		local pm
		pm=$(pgrep -o -x postgres)
		echo "postgres $pm"
		ps --ppid "$pm" -o pid=,args= | awk -v db="$cpu_db" '$0 ~ db || !/\(|\[local\]/ {print "postgres " $1}'
		echo "redis $(redis-cli info server | awk -F: '/^process_id/ {print $2}' | tr -d '\r')"
	fi
}

# cpu_sample appends "<group> <pid> <utime+stime ticks>" lines, one set per
# 0.5 s, until killed.
cpu_sample() {
	while :; do
		cpu_pids | while read -r group pid; do
			[[ -r /proc/$pid/stat ]] || continue
			# Fields after the ") " that ends the command name: utime is 14, stime 15.
			awk -v g="$group" -v p="$pid" '{ sub(/^.*\) /, ""); print g, p, $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || true
		done >>"$cpu_file"
		echo "--" >>"$cpu_file"
		sleep 0.5
	done
}

# cpu_report prints CPU seconds per group and per operation, for ops
# operations named by what (e.g. "flattr").
cpu_report() {
	local ops=$1 what=$2
	awk -v tck="$(getconf CLK_TCK)" -v ops="$ops" -v what="$what" '
		$1 == "--" { next }
		{ key = $1 " " $2; if (!(key in first)) first[key] = $3; last[key] = $3; group[key] = $1 }
		END {
			for (k in first) { d = (last[k] - first[k]) / tck; sum[group[k]] += d; total += d }
			for (g in sum) printf "cpu %s: %.2f s (%.3f ms per %s)\n", g, sum[g], 1000 * sum[g] / ops, what
			printf "cpu total: %.2f s, %.3f ms per %s\n", total, 1000 * total / ops, what
		}' "$cpu_file"
}
