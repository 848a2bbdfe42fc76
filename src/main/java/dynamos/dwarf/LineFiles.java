package dynamos.dwarf;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The file names of a line-number program's header ({@code .debug_line}), which {@code DW_AT_decl_file}
 * indexes: DWARF 5's entry formats (index 0 is the unit's primary file) and DWARF 2-4's
 * string lists (index 1 is the first file; index 0 is then unused).
 */
final class LineFiles {
    private static final int LNCT_PATH = 1;
    private static final int LNCT_DIRECTORY_INDEX = 2;

    private LineFiles() {}

    /** The files of the header at {@code offset}, as paths relative to the kernel's source tree where possible. */
    static List<String> read(ByteBuffer line, int offset, DebugSections sections, ByteBuffer str, ByteBuffer lineStr,
            String compDir) {
        int[] p = {offset};
        long length = Integer.toUnsignedLong(line.getInt(p[0]));
        p[0] += 4;
        int offsetSize = 4;
        if (length == 0xffffffffL) {
            length = line.getLong(p[0]);
            p[0] += 8;
            offsetSize = 8;
        }
        int version = line.getShort(p[0]) & 0xffff;
        p[0] += 2;
        if (version < 2 || version > 5) {
            throw new DwarfException(sections.origin() + ": line table version " + version + " at .debug_line+0x"
                    + Integer.toHexString(offset) + " is not one this reader knows (2 to 5)");
        }
        int addressSize = 8;
        if (version >= 5) {
            addressSize = line.get(p[0]++) & 0xff;
            p[0]++; // segment selector size
        }
        p[0] += offsetSize; // header_length
        p[0]++; // minimum_instruction_length
        if (version >= 4) {
            p[0]++; // maximum_operations_per_instruction
        }
        p[0] += 3; // default_is_stmt, line_base, line_range
        int opcodeBase = line.get(p[0]++) & 0xff;
        p[0] += Math.max(0, opcodeBase - 1);
        List<String> files = new ArrayList<>();
        if (version >= 5) {
            List<String[]> dirs = entries(line, p, offsetSize, addressSize, str, lineStr, sections);
            List<String[]> names = entries(line, p, offsetSize, addressSize, str, lineStr, sections);
            for (String[] f : names) {
                int dir = f[1] == null ? 0 : Integer.parseInt(f[1]);
                String d = dir < dirs.size() ? dirs.get(dir)[0] : null;
                files.add(clean(join(dir == 0 ? null : d, f[0]), compDir));
            }
            return files;
        }
        List<String> dirs = new ArrayList<>();
        dirs.add(null);
        while (line.get(p[0]) != 0) {
            String d = DebugSections.cString(line, p[0]);
            p[0] += d.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
            dirs.add(d);
        }
        p[0]++;
        files.add("");
        while (line.get(p[0]) != 0) {
            String f = DebugSections.cString(line, p[0]);
            p[0] += f.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
            int dir = (int) DwarfReader.uleb(line, p);
            DwarfReader.uleb(line, p);
            DwarfReader.uleb(line, p);
            files.add(clean(join(dir > 0 && dir < dirs.size() ? dirs.get(dir) : null, f), compDir));
        }
        return files;
    }

    /** A DWARF 5 directory or file table: per entry {path, directory index or null}. */
    private static List<String[]> entries(ByteBuffer line, int[] p, int offsetSize, int addressSize, ByteBuffer str,
            ByteBuffer lineStr, DebugSections sections) {
        int formatCount = line.get(p[0]++) & 0xff;
        int[] kinds = new int[formatCount];
        int[] forms = new int[formatCount];
        for (int i = 0; i < formatCount; i++) {
            kinds[i] = (int) DwarfReader.uleb(line, p);
            forms[i] = (int) DwarfReader.uleb(line, p);
        }
        long count = DwarfReader.uleb(line, p);
        List<String[]> out = new ArrayList<>();
        for (long n = 0; n < count; n++) {
            String[] e = new String[2];
            for (int i = 0; i < formatCount; i++) {
                int form = forms[i];
                String s = null;
                long v = -1;
                switch (form) {
                    case DwarfReader.FORM_STRING -> {
                        s = DebugSections.cString(line, p[0]);
                        p[0] += s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
                    }
                    case DwarfReader.FORM_LINE_STRP, DwarfReader.FORM_STRP -> {
                        long off = offsetSize == 8 ? line.getLong(p[0]) : Integer.toUnsignedLong(line.getInt(p[0]));
                        p[0] += offsetSize;
                        ByteBuffer b = form == DwarfReader.FORM_LINE_STRP ? lineStr : str;
                        s = b == null ? null : DebugSections.cString(b, (int) off);
                    }
                    case DwarfReader.FORM_UDATA -> v = DwarfReader.uleb(line, p);
                    case DwarfReader.FORM_DATA1 -> v = line.get(p[0]++) & 0xff;
                    case DwarfReader.FORM_DATA2 -> {
                        v = line.getShort(p[0]) & 0xffff;
                        p[0] += 2;
                    }
                    case DwarfReader.FORM_DATA4 -> {
                        v = Integer.toUnsignedLong(line.getInt(p[0]));
                        p[0] += 4;
                    }
                    case DwarfReader.FORM_DATA8 -> {
                        v = line.getLong(p[0]);
                        p[0] += 8;
                    }
                    case DwarfReader.FORM_DATA16 -> p[0] += 16;
                    case DwarfReader.FORM_BLOCK -> {
                        long len = DwarfReader.uleb(line, p);
                        p[0] += (int) len;
                    }
                    default -> throw new DwarfException(sections.origin() + ": form 0x" + Integer.toHexString(form)
                            + " in a line table's file list is not one this reader knows");
                }
                if (kinds[i] == LNCT_PATH) {
                    e[0] = s;
                } else if (kinds[i] == LNCT_DIRECTORY_INDEX && v >= 0) {
                    e[1] = Long.toString(v);
                }
            }
            out.add(e);
        }
        return out;
    }

    private static String join(String dir, String name) {
        if (name == null) {
            return "";
        }
        if (dir == null || dir.isEmpty() || name.startsWith("/")) {
            return name;
        }
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    /**
     * {@code path} relative to the source tree: the compilation directory and a leading {@code ./} are
     * dropped, and so is everything up to a {@code /linux-VERSION/} or {@code /linux/} directory (Debian
     * builds in {@code /build/reproducible-path/linux-6.1.176/}).
     */
    static String clean(String path, String compDir) {
        String p = path;
        if (compDir != null && !compDir.isEmpty() && p.startsWith(compDir + "/")) {
            p = p.substring(compDir.length() + 1);
        }
        int tree = p.indexOf("/linux-");
        if (tree >= 0) {
            int slash = p.indexOf('/', tree + 1);
            if (slash > 0) {
                p = p.substring(slash + 1);
            }
        }
        while (p.startsWith("./")) {
            p = p.substring(2);
        }
        return p;
    }
}
