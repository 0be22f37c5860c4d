#!/bin/busybox sh
# /init of the lab guest: mount the pseudo file systems, load the modules that hand VMCOREINFO
# and the panic event to QEMU, start the user processes the dump should show, then provoke the
# crash named by kdive_scenario= on the kernel command line.
# Lines for the ground truth go to /dev/kmsg, ordered with the kernel's own (see lab-user.c).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
say() { echo "<13>$*" > /dev/kmsg; }
for m in $(cat /lib/modules/load-order); do
	insmod "/lib/modules/$m" || say "kdive-lab: insmod $m failed"
done
scenario=
for word in $(cat /proc/cmdline); do
	case "$word" in kdive_scenario=*) scenario="${word#kdive_scenario=}" ;; esac
done
/bin/lab-user sleeper &
/bin/lab-user busy &
/bin/lab-user files &
/bin/lab-user hostile '<img src=x onerror=alert(1)>' & # markup as a task name: the viewer's XSS test
# sysrq c must be allowed for the panic scenario (Debian boots with kernel.sysrq=438).
echo 1 > /proc/sys/kernel/sysrq
# The trigger starts only once every other role has logged its marker (a TCG guest on a busy
# host can take seconds to schedule them); after 60 s it starts anyway and the host's ground
# truth check refuses the incomplete log, which retries the boot.
waited=0
while [ "$waited" -lt 600 ]; do
	[ -e /tmp/ready-sleeper ] && [ -e /tmp/ready-busy ] && [ -e /tmp/ready-files ] && [ -e /tmp/ready-hostile ] && break
	sleep 0.1
	waited=$((waited + 1))
done
if [ "$scenario" = load ]; then
	# bench/lab-under-load.sh: no crash, a second busy process so both vCPUs spin
	/bin/lab-user busy &
else
	say "kdive-lab: trigger scenario=$scenario"
	/bin/lab-user trigger "$scenario" &
fi
while true; do sleep 60; done
