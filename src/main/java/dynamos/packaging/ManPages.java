package dynamos.packaging;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Manual pages in roff (man(7)) from picocli's command model, so that they say exactly what {@code --help}
 * says: {@code NAME(8)} for the top command and {@code NAME-SUB(8)} for each subcommand (nested ones as
 * {@code NAME-SUB-SUBSUB}). The description's first line is the page's one-line summary; an empty line starts
 * a paragraph; lines indented by two blanks are kept as indented paragraphs. {@code files} (path, meaning) go
 * into the top page's FILES section.
 */
public final class ManPages {
    public static final String SECTION = "8";

    private final String date;
    private final String source;
    private final Map<String, String> files;

    /** {@code date} and {@code source} (e.g. "dynamos 0.1.0") go into each page's header. */
    public ManPages(String date, String source, Map<String, String> files) {
        this.date = date;
        this.source = source;
        this.files = files;
    }

    /** Every page of {@code top} and its subcommands: file name ({@code dynamos-apply.8}) to contents. */
    public Map<String, String> pages(CommandLine top) {
        Map<String, String> pages = new LinkedHashMap<>();
        add(top, pages);
        return pages;
    }

    private void add(CommandLine cl, Map<String, String> pages) {
        pages.put(pageName(cl.getCommandSpec()) + "." + SECTION, page(cl));
        for (CommandLine sub : distinctSubcommands(cl)) {
            add(sub, pages);
        }
    }

    /** {@code dynamos apply} → {@code dynamos-apply}. */
    static String pageName(CommandSpec spec) {
        return spec.qualifiedName("-");
    }

    /** One page. */
    String page(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        String name = pageName(spec);
        String[] description = spec.usageMessage().description();
        StringBuilder r = new StringBuilder();
        r.append(".\\\" Generated from the dynamos command model; do not edit.\n");
        r.append(".TH ").append(quote(name.toUpperCase(Locale.ROOT))).append(' ').append(SECTION).append(' ')
                .append(quote(date)).append(' ').append(quote(source)).append(' ').append(quote("DynAMOS Manual"))
                .append('\n');
        r.append(".SH NAME\n").append(escape(name)).append(" \\- ")
                .append(escape(description.length > 0 ? summary(description[0]) : "")).append('\n');
        r.append(".SH SYNOPSIS\n");
        r.append(".B ").append(escape(spec.qualifiedName(" "))).append('\n');
        for (OptionSpec o : visibleOptions(spec)) {
            r.append("[\\fB").append(escape(o.shortestName())).append("\\fR");
            if (o.typeInfo().isBoolean()) {
                r.append("]\n");
            } else {
                r.append(' ').append("\\fI").append(escape(o.paramLabel())).append("\\fR]\n");
            }
        }
        for (PositionalParamSpec p : visiblePositionals(spec)) {
            r.append(p.arity().min == 0 ? "[" : "").append("\\fI").append(escape(p.paramLabel())).append("\\fR")
                    .append(p.arity().max > 1 ? "..." : "").append(p.arity().min == 0 ? "]" : "").append('\n');
        }
        if (!distinctSubcommands(cl).isEmpty()) {
            r.append("\\fICOMMAND\\fR [\\fIARGS\\fR...]\n");
        }
        r.append(".SH DESCRIPTION\n");
        paragraphs(r, description, 1);
        if (!distinctSubcommands(cl).isEmpty()) {
            r.append(".SH COMMANDS\n");
            for (CommandLine sub : distinctSubcommands(cl)) {
                CommandSpec s = sub.getCommandSpec();
                String[] d = s.usageMessage().description();
                r.append(".TP\n.BR ").append(escape(pageName(s))).append(" (").append(SECTION).append(")\n")
                        .append(escape(d.length > 0 ? d[0] : "")).append('\n');
            }
        }
        if (!visiblePositionals(spec).isEmpty()) {
            r.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : visiblePositionals(spec)) {
                r.append(".TP\n.I ").append(escape(p.paramLabel())).append('\n');
                r.append(escape(String.join(" ", p.description()))).append('\n');
            }
        }
        if (!visibleOptions(spec).isEmpty()) {
            r.append(".SH OPTIONS\n");
            for (OptionSpec o : visibleOptions(spec)) {
                r.append(".TP\n");
                List<String> names = new ArrayList<>();
                for (String n : o.names()) {
                    names.add("\\fB" + escape(n) + "\\fR");
                }
                r.append(String.join(", ", names));
                if (!o.typeInfo().isBoolean()) {
                    r.append(" \\fI").append(escape(o.paramLabel())).append("\\fR");
                }
                r.append('\n').append(escape(expand(o, String.join(" ", o.description())))).append('\n');
            }
        }
        String heading = spec.usageMessage().footerHeading();
        String[] footer = spec.usageMessage().footer();
        if (heading != null && !heading.isBlank() && footer.length > 0) {
            r.append(".SH ").append(escape(heading.replace("%n", "").replace(":", "").strip()
                    .toUpperCase(Locale.ROOT))).append('\n');
            r.append(".nf\n");
            for (String line : footer) {
                r.append(escape(line.replace("%n", ""))).append('\n');
            }
            r.append(".fi\n");
        }
        if (spec.parent() == null && !files.isEmpty()) {
            r.append(".SH FILES\n");
            files.forEach((path, what) -> r.append(".TP\n.I ").append(escape(path)).append('\n')
                    .append(escape(what)).append('\n'));
        }
        r.append(".SH SEE ALSO\n");
        List<String> see = new ArrayList<>();
        CommandSpec parent = spec.parent();
        if (parent != null) {
            see.add(".BR " + escape(pageName(parent)) + " (" + SECTION + ")");
        }
        see.add(".BR systemctl (1)");
        r.append(String.join(",\n", see)).append('\n');
        return r.toString();
    }

    /** The subcommands a page documents: each once (not its aliases), not hidden ones, not picocli's help. */
    private static List<CommandLine> distinctSubcommands(CommandLine cl) {
        List<CommandLine> subs = new ArrayList<>();
        for (CommandLine s : cl.getSubcommands().values()) {
            boolean documented = !s.getCommandSpec().usageMessage().hidden()
                    && !(s.getCommand() instanceof CommandLine.HelpCommand);
            if (documented && !subs.contains(s)) {
                subs.add(s);
            }
        }
        return subs;
    }

    private static List<OptionSpec> visibleOptions(CommandSpec spec) {
        return spec.options().stream().filter(o -> !o.hidden()).toList();
    }

    private static List<PositionalParamSpec> visiblePositionals(CommandSpec spec) {
        return spec.positionalParameters().stream().filter(p -> !p.hidden()).toList();
    }

    /** picocli's ${DEFAULT-VALUE} and ${COMPLETION-CANDIDATES} as --help shows them. */
    private static String expand(ArgSpec a, String text) {
        String dflt = a.defaultValueString();
        String out = text.replace("${DEFAULT-VALUE}", dflt == null ? "" : dflt);
        if (a.completionCandidates() != null && out.contains("${COMPLETION-CANDIDATES}")) {
            List<String> c = new ArrayList<>();
            a.completionCandidates().forEach(c::add);
            out = out.replace("${COMPLETION-CANDIDATES}", String.join(", ", c));
        }
        return out;
    }

    private void paragraphs(StringBuilder r, String[] lines, int from) {
        boolean open = false;
        for (int i = from; i < lines.length; i++) {
            String line = lines[i].replace("%n", "");
            if (line.isBlank()) {
                open = false;
                continue;
            }
            if (line.startsWith("  ")) {
                r.append(".IP \"\" 4\n").append(escape(line.strip())).append('\n');
                open = false;
                continue;
            }
            if (!open) {
                r.append(".PP\n");
                open = true;
            }
            r.append(escape(line)).append('\n');
        }
    }

    /** The first sentence of a description line, without its final period. */
    static String summary(String line) {
        String s = line.strip();
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "'") + "\"";
    }

    /**
     * Text for a roff line: backslashes and hyphens escaped, and a leading period or quote (which roff would
     * read as a request) made literal.
     */
    static String escape(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }
}
