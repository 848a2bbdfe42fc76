package dynamos.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files a unified diff touches, read as {@code patch -p1} would: the {@code ---}/{@code +++} header
 * pairs, with hunks counted so that a removed line starting with {@code --} is never taken for a header.
 */
public final class PatchFiles {
    private static final Pattern HUNK = Pattern.compile("^@@ -(\\d+)(?:,(\\d+))? \\+(\\d+)(?:,(\\d+))? @@");

    /** How a file changes. */
    public enum Kind { MODIFIED, ADDED, DELETED, RENAMED }

    /**
     * One file of the diff, its path relative to the tree's top (the first component stripped).
     *
     * @param oldPath the path before (null when added)
     * @param newPath the path after (null when deleted)
     */
    public record FileChange(String oldPath, String newPath, int hunks) {
        public Kind kind() {
            if (oldPath == null) {
                return Kind.ADDED;
            }
            if (newPath == null) {
                return Kind.DELETED;
            }
            return oldPath.equals(newPath) ? Kind.MODIFIED : Kind.RENAMED;
        }

        /** The path in the tree the change is about (the new one unless deleted). */
        public String path() {
            return newPath != null ? newPath : oldPath;
        }

        public boolean isC() {
            return path().endsWith(".c");
        }

        public boolean isHeader() {
            return path().endsWith(".h");
        }

        public boolean isAssembly() {
            return path().endsWith(".S") || path().endsWith(".s");
        }
    }

    private PatchFiles() {}

    public static List<FileChange> read(Path patch) {
        try {
            return parse(Files.readString(patch), patch.toString());
        } catch (IOException e) {
            throw new SourceException("cannot read the patch " + patch + ": " + e.getMessage(), e);
        }
    }

    /**
     * The files of a unified diff, in order.
     *
     * @throws SourceException when it holds no file, or a header or hunk is malformed
     */
    public static List<FileChange> parse(String diff, String origin) {
        List<FileChange> out = new ArrayList<>();
        List<String> lines = diff.lines().toList();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            if (line.startsWith("--- ") && i + 1 < lines.size() && lines.get(i + 1).startsWith("+++ ")) {
                String oldPath = strip(headerPath(lines.get(i)), origin, i + 1);
                String newPath = strip(headerPath(lines.get(i + 1)), origin, i + 2);
                i += 2;
                int hunks = 0;
                while (i < lines.size()) {
                    Matcher m = HUNK.matcher(lines.get(i));
                    if (!m.find()) {
                        break;
                    }
                    hunks++;
                    int oldLeft = count(m.group(2));
                    int newLeft = count(m.group(4));
                    int start = i + 1;
                    i++;
                    while ((oldLeft > 0 || newLeft > 0) && i < lines.size()) {
                        String l = lines.get(i);
                        char c = l.isEmpty() ? ' ' : l.charAt(0);
                        switch (c) {
                            case ' ' -> {
                                oldLeft--;
                                newLeft--;
                            }
                            case '-' -> oldLeft--;
                            case '+' -> newLeft--;
                            case '\\' -> { }
                            default -> throw new SourceException(origin + ":" + (i + 1) + ": the hunk starting at line "
                                    + start + " ends early (line '" + l + "'); is the patch cut or hand-edited?");
                        }
                        i++;
                    }
                    if (oldLeft > 0 || newLeft > 0 || oldLeft < 0 || newLeft < 0) {
                        throw new SourceException(origin + ": the hunk starting at line " + start
                                + " does not have the lines its @@ header counts; is the patch cut or hand-edited?");
                    }
                    while (i < lines.size() && lines.get(i).startsWith("\\")) {
                        i++;
                    }
                }
                if (oldPath == null && newPath == null) {
                    throw new SourceException(origin + ":" + (i + 1) + ": a file goes from /dev/null to /dev/null");
                }
                out.add(new FileChange(oldPath, newPath, hunks));
            } else {
                i++;
            }
        }
        if (out.isEmpty()) {
            throw new SourceException(origin + " is not a unified diff (no '--- a/FILE' / '+++ b/FILE' lines);"
                    + " make one with 'git diff' or 'diff -u'");
        }
        return out;
    }

    private static int count(String group) {
        return group == null ? 1 : Integer.parseInt(group);
    }

    /** The path of a header line: after the marker, up to a tab (diff -u puts the date there). */
    private static String headerPath(String line) {
        String p = line.substring(4);
        int tab = p.indexOf('\t');
        if (tab >= 0) {
            p = p.substring(0, tab);
        }
        p = p.strip();
        if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
            p = p.substring(1, p.length() - 1);
        }
        return p;
    }

    /** Strips one leading component as {@code patch -p1}; /dev/null means no file (null). */
    private static String strip(String path, String origin, int lineNumber) {
        if (path.equals("/dev/null")) {
            return null;
        }
        int slash = path.indexOf('/');
        if (slash < 0 || slash == path.length() - 1) {
            throw new SourceException(origin + ":" + lineNumber + ": '" + path + "' has no leading directory to strip;"
                    + " the patch must be relative to the tree's top with a/ and b/ prefixes (patch -p1)");
        }
        String rest = path.substring(slash + 1);
        if (rest.startsWith("/") || rest.equals("..") || rest.startsWith("../") || rest.contains("/../")) {
            throw new SourceException(origin + ":" + lineNumber + ": '" + path + "' leaves the source tree");
        }
        return rest;
    }
}
