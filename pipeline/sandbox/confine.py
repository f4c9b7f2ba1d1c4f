"""The operating-system layer of the sandbox, applied by the harness to its own process.

Everything here happens after the trusted imports and before any scene code runs, and none of
it can be undone from inside the process afterwards: resource limits (with capabilities
dropped, hard limits cannot be raised again), a private network namespace, a Landlock
filesystem ruleset, a seccomp filter and an empty capability set.

Each step reports what it achieved instead of failing the render: kernels and containers differ,
and the caller records which protections held. Standard library only, loaded by path from the
harness.
"""

import ctypes
import errno
import os
import platform
import resource
import signal
import struct

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long

PR_SET_PDEATHSIG = 1
PR_SET_SECCOMP = 22
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def _prctl(option: int, arg: int = 0) -> None:
    if _libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def die_with_parent(parent_pid: int) -> None:
    """The kernel kills the harness when the worker dies, even by SIGKILL."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)


# --- resource limits ----------------------------------------------------------------------


def set_limits(
    *, cpu_seconds: int, memory_mb: int, file_mb: int, open_files: int, processes: int
) -> dict:
    """Applies per-process limits and returns what was set.

    RLIMIT_NPROC counts every process of the user and the kernel does not apply it to root at
    all, so as root it is left alone (the seccomp filter refuses new processes instead); as
    another user it allows `processes` tasks (threads count) above what the user runs now.
    """
    applied = {}
    for name, limit, soft in (
        ("cpu_seconds", resource.RLIMIT_CPU, cpu_seconds),
        ("memory_mb", resource.RLIMIT_AS, memory_mb * 2**20),
        ("file_mb", resource.RLIMIT_FSIZE, file_mb * 2**20),
        ("open_files", resource.RLIMIT_NOFILE, open_files),
        ("core", resource.RLIMIT_CORE, 0),
    ):
        ceiling = resource.getrlimit(limit)[1]
        if ceiling != resource.RLIM_INFINITY:
            soft = min(soft, ceiling)
        hard = soft + 2 if limit == resource.RLIMIT_CPU else soft  # SIGXCPU first, then SIGKILL
        if ceiling != resource.RLIM_INFINITY:
            hard = min(hard, ceiling)
        resource.setrlimit(limit, (soft, hard))
        applied[name] = soft if name in ("cpu_seconds", "open_files", "core") else soft // 2**20
    if os.geteuid() == 0:
        applied["processes"] = "not enforced for root; seccomp refuses new processes"
    else:
        allowed = _tasks_of_user(os.getuid()) + processes
        resource.setrlimit(resource.RLIMIT_NPROC, (allowed, allowed))
        applied["processes"] = f"{processes} above the user's current {allowed - processes}"
    return applied


def _tasks_of_user(uid: int) -> int:
    """How many tasks (threads included, as RLIMIT_NPROC counts them) `uid` runs now."""
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            count += int(fields.get("Threads", "1"))
    return count


# --- network ------------------------------------------------------------------------------


def isolate_network() -> bool | str:
    """Moves the process into a new network namespace with only a down loopback device.

    Root can do that directly; other users first enter a user namespace that maps their own
    uid and gid (without the mapping, creating files would fail). Returns True, or why not.
    """
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNET if uid == 0 else CLONE_NEWUSER | CLONE_NEWNET
    if _libc.unshare(flags) != 0:
        return f"unshare failed: {os.strerror(ctypes.get_errno())}"
    if uid != 0:
        try:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        except OSError as exc:
            return f"user namespace mapping failed: {exc}"
    return True


def _write(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


# --- capabilities -------------------------------------------------------------------------


def drop_capabilities() -> bool | str:
    """Empties every capability set, so root can no longer bypass file permissions, raise its
    limits, mount, trace, load modules or change the clock. Returns True, or why not."""
    try:
        with open("/proc/sys/kernel/cap_last_cap") as file:
            last = int(file.read())
    except OSError:
        last = 40
    try:
        for cap in range(last + 1):
            if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                err = ctypes.get_errno()
                if err not in (errno.EINVAL, errno.EPERM):  # EPERM: already gone (non-root)
                    raise OSError(err, os.strerror(err))
        _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        header = struct.pack("Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        data = bytes(24)  # two {effective, permitted, inheritable} u32 triples, all zero
        if _libc.capset(header, data) != 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    except (OSError, AttributeError) as exc:
        return f"capabilities not dropped: {exc}"
    return True


# --- Landlock -----------------------------------------------------------------------------

_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
_FS_EXECUTE = 1 << 0
_FS_WRITE_FILE = 1 << 1
_FS_READ_FILE = 1 << 2
_FS_READ_DIR = 1 << 3
_FS_REMOVE_DIR = 1 << 4
_FS_REMOVE_FILE = 1 << 5
_FS_MAKE_CHAR = 1 << 6
_FS_MAKE_DIR = 1 << 7
_FS_MAKE_REG = 1 << 8
_FS_MAKE_SOCK = 1 << 9
_FS_MAKE_FIFO = 1 << 10
_FS_MAKE_BLOCK = 1 << 11
_FS_MAKE_SYM = 1 << 12
_FS_REFER = 1 << 13  # ABI 2
_FS_TRUNCATE = 1 << 14  # ABI 3
_FS_IOCTL_DEV = 1 << 15  # ABI 5
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1}
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6
_FILE_ONLY = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV

_READ = _FS_READ_FILE | _FS_READ_DIR
_WRITE = (
    _READ
    | _FS_WRITE_FILE
    | _FS_REMOVE_DIR
    | _FS_REMOVE_FILE
    | _FS_MAKE_DIR
    | _FS_MAKE_REG
    | _FS_REFER
    | _FS_TRUNCATE
)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is missing or disabled."""
    version = _libc.syscall(_LANDLOCK_CREATE_RULESET, None, 0, 1)  # ..._VERSION flag
    return max(0, version)


def restrict_filesystem(*, read: list[str], write: list[str]) -> int | str:
    """Lets the process read only beneath `read` and write only beneath `write`; with ABI 4+
    it also refuses every TCP bind and connect, with ABI 6+ signals to processes outside the
    sandbox. Nothing may be executed anywhere. Returns the ABI version used, or why not."""
    abi = landlock_abi()
    if abi < 1:
        return "Landlock is not available in this kernel"
    handled_fs = _FS_BY_ABI.get(abi, (1 << 16) - 1)
    attr = struct.pack("Q", handled_fs)
    if abi >= 4:
        attr += struct.pack("Q", _NET_BIND_TCP | _NET_CONNECT_TCP)
    if abi >= 6:
        attr += struct.pack("Q", _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL)
    ruleset = _libc.syscall(_LANDLOCK_CREATE_RULESET, attr, len(attr), 0)
    if ruleset < 0:
        return f"Landlock ruleset failed: {os.strerror(ctypes.get_errno())}"
    try:
        for paths, access in ((read, _READ), (write, _WRITE)):
            for path in paths:
                _add_path_rule(ruleset, path, access & handled_fs)
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        if _libc.syscall(_LANDLOCK_RESTRICT_SELF, ruleset, 0) != 0:
            return f"Landlock restrict failed: {os.strerror(ctypes.get_errno())}"
    finally:
        os.close(ruleset)
    return abi


def _add_path_rule(ruleset: int, path: str, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a missing optional path (say /lib32) needs no rule
    try:
        if not os.path.isdir(path):
            access &= _FILE_ONLY
        rule = struct.pack("=Qi", access, fd)  # struct landlock_path_beneath_attr, packed
        if _libc.syscall(_LANDLOCK_ADD_RULE, ruleset, 1, rule, 0) != 0:
            raise OSError(ctypes.get_errno(), f"Landlock rule for {path} failed")
    finally:
        os.close(fd)


# --- seccomp ------------------------------------------------------------------------------

# x86_64 system call numbers. Other architectures get no filter (reported), rather than a
# filter with wrong numbers.
_X86_64 = {
    "clone": 56,
    "clone3": 435,
    "kill": 62,
    "tgkill": 234,
    "prlimit64": 302,
    "denied": (
        57,  # fork
        58,  # vfork
        59,  # execve
        322,  # execveat
        41,  # socket
        53,  # socketpair
        101,  # ptrace
        310,  # process_vm_readv
        311,  # process_vm_writev
        200,  # tkill
        129,  # rt_sigqueueinfo
        297,  # rt_tgsigqueueinfo
        424,  # pidfd_send_signal
        434,  # pidfd_open
        438,  # pidfd_getfd
        312,  # kcmp
        246,  # kexec_load
        320,  # kexec_file_load
        175,  # init_module
        313,  # finit_module
        176,  # delete_module
        169,  # reboot
        165,  # mount
        166,  # umount2
        155,  # pivot_root
        161,  # chroot
        308,  # setns
        272,  # unshare
        321,  # bpf
        298,  # perf_event_open
        323,  # userfaultfd
        250,  # keyctl
        248,  # add_key
        249,  # request_key
        303,  # name_to_handle_at
        304,  # open_by_handle_at
        428,  # open_tree
        429,  # move_mount
        430,  # fsopen
        431,  # fsconfig
        432,  # fsmount
        433,  # fspick
        442,  # mount_setattr
        425,  # io_uring_setup
        426,  # io_uring_enter
        427,  # io_uring_register
        167,  # swapon
        168,  # swapoff
        164,  # settimeofday
        227,  # clock_settime
        305,  # clock_adjtime
        159,  # adjtimex
        170,  # sethostname
        171,  # setdomainname
        163,  # acct
        179,  # quotactl
        172,  # iopl
        173,  # ioperm
        103,  # syslog
        134,  # uselib
        141,  # setpriority
        251,  # ioprio_set
        88,  # symlink
        266,  # symlinkat
        86,  # link
        265,  # linkat
    ),
}
_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_SYSCALL_BIT = 0x40000000
_CLONE_THREAD = 0x00010000
_RET_ALLOW = 0x7FFF0000
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000
_LD_W_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_OFF_NR, _OFF_ARCH, _OFF_ARG0 = 0, 4, 16


def install_seccomp() -> bool | str:
    """Refuses new processes, program execution, sockets, links, tracing, signals to other
    processes and kernel administration, whatever the user id. Threads stay allowed: clone3
    answers ENOSYS, so the C library falls back to clone, which passes only with CLONE_THREAD.
    Returns True, or why not."""
    if platform.machine() != "x86_64":
        return f"no seccomp filter for {platform.machine()}"
    program = _seccomp_program(os.getpid())
    filters = b"".join(struct.pack("HBBI", *insn) for insn in program)
    buffer = ctypes.create_string_buffer(filters)
    fprog = struct.pack("HxxxxxxP", len(program), ctypes.addressof(buffer))
    try:
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        _prctl_ptr(PR_SET_SECCOMP, 2, fprog)  # SECCOMP_MODE_FILTER
    except OSError as exc:
        return f"seccomp failed: {exc}"
    return True


def _prctl_ptr(option: int, mode: int, data: bytes) -> None:
    if _libc.prctl(option, ctypes.c_ulong(mode), ctypes.c_char_p(data), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))


def _seccomp_program(own_pid: int) -> list[tuple[int, int, int, int]]:
    """A classic BPF program over struct seccomp_data: (code, jump-if-true, jump-if-false, k)."""
    eperm = _RET_ERRNO | errno.EPERM
    program = [
        (_LD_W_ABS, 0, 0, _OFF_ARCH),
        (_JEQ, 1, 0, _AUDIT_ARCH_X86_64),
        (_RET, 0, 0, _RET_KILL_PROCESS),  # 32-bit calls through int 0x80
        (_LD_W_ABS, 0, 0, _OFF_NR),
        (_JGE, 0, 1, _X32_SYSCALL_BIT),
        (_RET, 0, 0, eperm),
    ]
    for number in _X86_64["denied"]:
        program += [(_JEQ, 0, 1, number), (_RET, 0, 0, eperm)]
    program += [(_JEQ, 0, 1, _X86_64["clone3"]), (_RET, 0, 0, _RET_ERRNO | errno.ENOSYS)]
    # kill, tgkill and prlimit64 only on this process (0 means "self" or "own group").
    for name, allowed in (
        ("kill", (own_pid, 0)),
        ("tgkill", (own_pid,)),
        ("prlimit64", (0, own_pid)),
    ):
        checks = [(_JEQ, len(allowed) - i, 0, pid) for i, pid in enumerate(allowed)]
        program += [
            (_JEQ, 0, len(checks) + 3, _X86_64[name]),
            (_LD_W_ABS, 0, 0, _OFF_ARG0),
            *checks,
            (_RET, 0, 0, eperm),
            (_RET, 0, 0, _RET_ALLOW),
        ]
    program += [
        (_JEQ, 0, 3, _X86_64["clone"]),
        (_LD_W_ABS, 0, 0, _OFF_ARG0),
        (_JSET, 1, 0, _CLONE_THREAD),
        (_RET, 0, 0, eperm),
        (_RET, 0, 0, _RET_ALLOW),
    ]
    return program
