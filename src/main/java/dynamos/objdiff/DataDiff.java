package dynamos.objdiff;

import java.util.List;

/**
 * One data object ({@code STT_OBJECT} symbol) of the translation unit.
 *
 * @param name its name; a function-scope static that GCC numbered ({@code __already_done.3}) is named as in the
 *     object after the patch (before, if removed)
 * @param nameBefore its name in the object before the patch, which is the running kernel's (null if new): GCC's
 *     number may differ from {@code name}'s
 * @param key the name under which before and after were matched: GCC's number replaced by the function that
 *     first refers to it and its rank there ({@code __already_done@show#0}), since adding a static anywhere in
 *     the file renumbers the others
 * @param status what the patch did to it
 * @param section e.g. {@code .data.counter}, {@code .bss.counter}, {@code .rodata.table}
 * @param local whether it is static
 * @param sizeBefore its size before (-1 if new)
 * @param sizeAfter its size after (-1 if removed)
 * @param differences why it is not unchanged, one line each
 */
public record DataDiff(String name, String nameBefore, String key, Status status, String section, boolean local, long sizeBefore,
        long sizeAfter, List<String> differences) {
    public DataDiff {
        differences = List.copyOf(differences);
    }
}
