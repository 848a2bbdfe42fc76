package dynamos.device;

/** The ioctl commands of /dev/dynamos: {@code _IOWR(0xDA, nr, struct dynamos_req)}. */
public enum Command {
    VERSION(0), REGISTER(1), DEREGISTER(2), ACTIVATE(3), SET_HANDLER(4), SET_HOOK(5), CALL(6), STOP(7),
    STATE(8), ACTIVATE_GROUP(9), IN_USE(10), LIST(11), MONITOR_START(12), MONITOR_STOP(13), MONITOR_LIST(14);

    private final int nr;

    Command(int nr) {
        this.nr = nr;
    }

    /** The ioctl request number: direction read|write (3) << 30, size << 16, type 0xDA << 8, nr. */
    public long ioctlNumber() {
        return (3L << 30) | (Request.LAYOUT.byteSize() << 16) | (0xDAL << 8) | nr;
    }
}
