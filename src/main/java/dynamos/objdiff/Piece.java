package dynamos.objdiff;

import dynamos.elf.ElfSymbol;
import java.util.List;

/**
 * One function symbol's code: a whole function or a piece GCC split off it.
 *
 * @param symbol its symbol
 * @param section its section's name
 * @param code its bytes
 * @param masked its bytes with every relocated field zeroed
 * @param relocations the relocations inside it, normalised, by offset
 * @param instructionEnds for each byte offset, the end of the instruction holding it (from the decoder); null
 *     when the decoder is not available
 * @param branchFields the offsets of the displacement fields of its direct calls and jumps (from the decoder;
 *     empty without it)
 */
record Piece(ElfSymbol symbol, String section, byte[] code, byte[] masked, List<NormalizedRelocation> relocations,
        int[] instructionEnds, java.util.Set<Integer> branchFields) {
    String name() {
        return symbol.name();
    }

    String parent() {
        return PieceNames.parent(symbol.name());
    }

    boolean init() {
        return section.startsWith(".init.");
    }
}
