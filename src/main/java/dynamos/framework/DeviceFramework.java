package dynamos.framework;

import dynamos.device.Command;
import dynamos.device.Device;
import dynamos.device.Limits;
import dynamos.device.Records;
import dynamos.device.Request;
import dynamos.monitor.MonitorOptions;
import dynamos.monitor.MonitorStats;
import java.util.List;

/** {@link Framework} on the running kernel: one ioctl of /dev/dynamos per operation. */
final class DeviceFramework implements Framework {
    private final Device device;

    DeviceFramework(Device device) {
        this.device = device;
    }

    @Override
    public VersionTable table() {
        return VersionTable.of(device.list());
    }

    @Override
    public int register(String name, long id, String function) {
        Request r = update(name, id);
        r.symbol = function;
        return (int) device.call(Command.REGISTER, r);
    }

    @Override
    public int register(String name, long id, String function, int position) {
        Request r = update(name, id);
        r.symbol = function;
        if (position != 0) {
            r.address = Namesakes.address(function, position); // the kernel checks it against its kallsyms
        }
        return (int) device.call(Command.REGISTER, r);
    }

    @Override
    public void deregister(String name, long id, int version, int timeoutMs) {
        Request r = update(name, id);
        r.version = version;
        r.timeoutMs = timeoutMs;
        device.call(Command.DEREGISTER, r);
    }

    @Override
    public long activate(String name, long id, int version) {
        Request r = update(name, id);
        r.version = version;
        return device.call(Command.ACTIVATE, r);
    }

    @Override
    public void setHandler(String name, long id, String function) {
        Request r = update(name, id);
        r.symbol = function == null ? "" : function;
        device.call(Command.SET_HANDLER, r);
    }

    @Override
    public void setHandlerAddress(String name, long id, long address) {
        Request r = update(name, id);
        r.address = address;
        device.call(Command.SET_HANDLER, r);
    }

    @Override
    public void setHook(HookKind kind, String name, long id, int version, String function) {
        Request r = update(name, id);
        r.version = version;
        r.hook = kind.abi();
        r.symbol = function == null ? "" : function;
        device.call(Command.SET_HOOK, r);
    }

    @Override
    public long call(String function) {
        Request r = new Request();
        r.symbol = function;
        return device.call(Command.CALL, r);
    }

    @Override
    public long stopAll(int timeoutMs) {
        Request r = new Request();
        r.timeoutMs = timeoutMs;
        return device.call(Command.STOP, r);
    }

    @Override
    public State state(String name, Integer phase, Boolean mustUpdate) {
        Request r = new Request();
        r.name = name;
        if (phase != null) {
            r.flags |= Request.STATE_SET_PHASE;
            r.phase = phase;
        }
        if (mustUpdate != null) {
            r.flags |= Request.STATE_SET_MUST_UPDATE;
            r.mustUpdate = mustUpdate ? 1 : 0;
        }
        device.call(Command.STATE, r);
        return new State(name, r.phase, r.mustUpdate != 0);
    }

    @Override
    public long activateGroup(List<Member> members) {
        if (members.isEmpty() || members.size() > Limits.MAX_GROUP) {
            throw new IllegalArgumentException("a group has 1 to " + Limits.MAX_GROUP + " members, not " + members.size());
        }
        Request r = new Request();
        r.members = members.stream().map(m -> {
            update(m.name(), m.id());
            return new Request.Member(m.name(), (int) m.id(), m.version());
        }).toList();
        device.call(Command.ACTIVATE_GROUP, r);
        return r.countOut;
    }

    @Override
    public Usage inUse(String name, long id, int version, int timeoutMs) {
        Request r = update(name, id);
        r.version = version;
        r.timeoutMs = timeoutMs;
        r.recordBufferSize = (int) (Limits.MAX_TASKS * Records.TASK.byteSize());
        long busy = device.call(Command.IN_USE, r);
        return new Usage((int) busy, busy == 0 ? "" : r.reply, Records.tasks(r.records));
    }

    @Override
    public long frameworkVersion() {
        return device.call(Command.VERSION, new Request());
    }

    private static Request update(String name, long id) {
        Framework.checkId(id);
        Request r = new Request();
        r.name = name;
        r.id = (int) id;
        return r;
    }

    @Override
    public int monitorStart(String function, MonitorOptions options) {
        if (options.maxActive() > Limits.MONITOR_MAX_ACTIVE) {
            throw new IllegalArgumentException("max-active " + options.maxActive() + " is more than the kernel's "
                    + Limits.MONITOR_MAX_ACTIVE + " (use at most " + Limits.MONITOR_MAX_ACTIVE + ")");
        }
        Request r = new Request();
        r.symbol = function;
        r.flags = options.byCaller() ? Request.MONITOR_BY_CALLER : 0;
        r.version = options.maxActive();
        return (int) device.call(Command.MONITOR_START, r);
    }

    @Override
    public void monitorStop(int monitorId) {
        Request r = new Request();
        r.id = monitorId;
        device.call(Command.MONITOR_STOP, r);
    }

    @Override
    public List<MonitorStats> monitors() {
        return Records.monitors(device.records(Command.MONITOR_LIST));
    }

    @Override
    public void close() {
        device.close();
    }
}
