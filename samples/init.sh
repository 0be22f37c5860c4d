#!/bin/busybox sh
# /init of the lab guest: mount the pseudo file systems, load the modules that hand VMCOREINFO
# and the panic event to QEMU, start the user processes the dump should show, then provoke the
# crash named by kdive_scenario= on the kernel command line.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
for m in $(cat /lib/modules/load-order); do
	insmod "/lib/modules/$m" || echo "kdive-lab: insmod $m failed"
done
scenario=
for word in $(cat /proc/cmdline); do
	case "$word" in kdive_scenario=*) scenario="${word#kdive_scenario=}" ;; esac
done
/bin/lab-user sleeper &
/bin/lab-user busy &
/bin/lab-user files &
# sysrq c must be allowed for the panic scenario (Debian boots with kernel.sysrq=438).
echo 1 > /proc/sys/kernel/sysrq
sleep 1
echo "kdive-lab: trigger scenario=$scenario"
/bin/lab-user trigger "$scenario" &
while true; do sleep 60; done
