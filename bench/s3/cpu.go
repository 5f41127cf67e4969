package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on every Linux
// architecture Go runs on.
const clockTicks = 100

// procCPU is the user and system CPU time, in seconds, that process pid has used, read from
// /proc/<pid>/stat (fields 14 and 15; the command name in field 2 may hold spaces, so the
// fields are counted after its closing parenthesis).
func procCPU(pid int) (float64, error) {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, fmt.Errorf("-direct-pid: %w", err)
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("-direct-pid: /proc/%d/stat has %d fields after the name", pid, len(fields))
	}
	utime, err1 := strconv.ParseUint(fields[11], 10, 64)
	stime, err2 := strconv.ParseUint(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("-direct-pid: /proc/%d/stat: CPU times are not numbers", pid)
	}
	return float64(utime+stime) / clockTicks, nil
}

// startProfile records the load tool's CPU profile of one measured run into -profile-dir,
// named after the side, the measurement and the run's number; stop ends it. Without
// -profile-dir it records nothing.
func (b *bench) startProfile(name string) (stop func() error, err error) {
	if b.o.profileDir == "" {
		return func() error { return nil }, nil
	}
	side := "inkan"
	if b.direct {
		side = "direct"
	}
	file := fmt.Sprintf("%s-%s-%d.pprof", side, strings.ToLower(strings.ReplaceAll(name, " ", "")), len(b.results[name])+1)
	f, err := os.Create(filepath.Join(b.o.profileDir, file))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
