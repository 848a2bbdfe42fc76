package dynamos.device;

import java.util.Map;

/** Names for the errno values the framework returns, so messages say EBUSY rather than 16. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int ENOEXEC = 8;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ENOTTY = 25;
    public static final int ENOSPC = 28;
    public static final int ENAMETOOLONG = 36;
    public static final int EPROTO = 71;
    public static final int ENOTUNIQ = 76;
    public static final int EOPNOTSUPP = 95;
    public static final int ECANCELED = 125;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(EPERM, "EPERM"), Map.entry(ENOENT, "ENOENT"), Map.entry(EINTR, "EINTR"),
            Map.entry(ENOEXEC, "ENOEXEC"), Map.entry(EACCES, "EACCES"), Map.entry(EBUSY, "EBUSY"),
            Map.entry(EEXIST, "EEXIST"), Map.entry(ENODEV, "ENODEV"), Map.entry(EINVAL, "EINVAL"),
            Map.entry(ENOTTY, "ENOTTY"), Map.entry(ENOSPC, "ENOSPC"), Map.entry(ENAMETOOLONG, "ENAMETOOLONG"),
            Map.entry(EPROTO, "EPROTO"), Map.entry(ENOTUNIQ, "ENOTUNIQ"), Map.entry(EOPNOTSUPP, "EOPNOTSUPP"),
            Map.entry(EAGAIN, "EAGAIN"), Map.entry(ECANCELED, "ECANCELED"),
            Map.entry(12, "ENOMEM"), Map.entry(14, "EFAULT"), Map.entry(6, "ENXIO"), Map.entry(3, "ESRCH"));

    private Errno() {}

    public static String name(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }
}
