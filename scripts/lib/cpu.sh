# CPU accounting shared by the bench scripts: sample the CPU seconds of
# Plaudit's processes, PostgreSQL's (the postmaster, its background
# processes and the backends of one database) and Redis while a load runs,
# then print them per operation.
# Use: set cpu_file, cpu_db (the PostgreSQL database, "" for SQLite) and
# cpu_server (plaudit's pid) and, for a separate worker process, cpu_worker; cpu_sample & ; …load…; kill it; cpu_report N.

# cpu_pids prints "<group> <pid>" for every process whose CPU counts.
cpu_pids() {
	echo "plaudit $cpu_server"
	[[ -z ${cpu_worker:-} ]] || echo "worker $cpu_worker"
	if [[ -n $cpu_db ]]; then
		local pm
		pm=$(pgrep -o -x postgres)
		echo "postgres $pm"
		ps --ppid "$pm" -o pid=,args= | awk -v db="$cpu_db" 'index($0, " " db " ") || !/\(|\[local\]/ {print "postgres " $1}'
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
# operations named by what (e.g. "flattr"): per pid, its last sample minus
# its first, or minus 0 for a pid that appeared after the first round (a
# backend started during the load).
cpu_report() {
	local ops=$1 what=$2
	awk -v tck="$(getconf CLK_TCK)" -v ops="$ops" -v what="$what" '
		$1 == "--" { rounds++; next }
		{ key = $1 " " $2 }
		!(key in base) { base[key] = (rounds == 0 ? $3 : 0); group[key] = $1 }
		{ last[key] = $3 }
		END {
			for (k in last) cpu[group[k]] += (last[k] - base[k]) / tck
			total = 0
			for (g in cpu) { printf "cpu %-8s %7.2f s = %6.3f ms per %s\n", g, cpu[g], 1000 * cpu[g] / ops, what; total += cpu[g] }
			printf "cpu total    %7.2f s = %6.3f ms per %s\n", total, 1000 * total / ops, what
		}' "$cpu_file"
}
