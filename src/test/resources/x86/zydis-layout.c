/*
 * Prints the sizes, field offsets and enum values of the installed Zydis headers that dynamos.x86.Zydis
 * hard-codes, one "NAME VALUE" line each; ZydisLayoutTest compares them with the Java constants.
 */
#include <stddef.h>
#include <stdio.h>
#include <Zydis/Zydis.h>

#define P(name, value) printf("%s %lld\n", name, (long long)(value))

int main(void)
{
	P("VERSION", ZYDIS_VERSION);
	P("DECODER_SIZE", sizeof(ZydisDecoder));
	P("CONTEXT_SIZE", sizeof(ZydisDecoderContext));
	P("INSN_SIZE", sizeof(ZydisDecodedInstruction));
	P("INSN_MNEMONIC", offsetof(ZydisDecodedInstruction, mnemonic));
	P("INSN_LENGTH", offsetof(ZydisDecodedInstruction, length));
	P("INSN_OPERAND_WIDTH", offsetof(ZydisDecodedInstruction, operand_width));
	P("INSN_OPERAND_COUNT", offsetof(ZydisDecodedInstruction, operand_count));
	P("INSN_OPERAND_COUNT_VISIBLE", offsetof(ZydisDecodedInstruction, operand_count_visible));
	P("INSN_ATTRIBUTES", offsetof(ZydisDecodedInstruction, attributes));
	P("INSN_CATEGORY", offsetof(ZydisDecodedInstruction, meta.category));
	P("INSN_MODRM_MOD", offsetof(ZydisDecodedInstruction, raw.modrm.mod));
	P("INSN_IMM0_IS_RELATIVE", offsetof(ZydisDecodedInstruction, raw.imm[0].is_relative));
	P("INSN_IMM0_VALUE", offsetof(ZydisDecodedInstruction, raw.imm[0].value));
	P("INSN_IMM0_SIZE", offsetof(ZydisDecodedInstruction, raw.imm[0].size));
	P("INSN_IMM1_VALUE", offsetof(ZydisDecodedInstruction, raw.imm[1].value));
	P("INSN_IMM1_SIZE", offsetof(ZydisDecodedInstruction, raw.imm[1].size));
	P("OPERAND_SIZE", sizeof(ZydisDecodedOperand));
	P("OPERAND_TYPE", offsetof(ZydisDecodedOperand, type));
	P("OPERAND_VISIBILITY", offsetof(ZydisDecodedOperand, visibility));
	P("OPERAND_ACTIONS", offsetof(ZydisDecodedOperand, actions));
	P("OPERAND_ACTION_MASK_WRITE", ZYDIS_OPERAND_ACTION_MASK_WRITE);
	P("OPERAND_REG", offsetof(ZydisDecodedOperand, reg.value));
	P("OPERAND_MEM_TYPE", offsetof(ZydisDecodedOperand, mem.type));
	P("OPERAND_MEM_BASE", offsetof(ZydisDecodedOperand, mem.base));
	P("OPERAND_MEM_INDEX", offsetof(ZydisDecodedOperand, mem.index));
	P("OPERAND_MEM_SCALE", offsetof(ZydisDecodedOperand, mem.scale));
	P("OPERAND_MEM_HAS_DISP", offsetof(ZydisDecodedOperand, mem.disp.has_displacement));
	P("OPERAND_MEM_DISP", offsetof(ZydisDecodedOperand, mem.disp.value));
	P("OPERAND_IMM_IS_RELATIVE", offsetof(ZydisDecodedOperand, imm.is_relative));
	P("OPERAND_IMM_VALUE", offsetof(ZydisDecodedOperand, imm.value));
	P("MAX_OPERAND_COUNT", ZYDIS_MAX_OPERAND_COUNT);
	P("MACHINE_MODE_LONG_64", ZYDIS_MACHINE_MODE_LONG_64);
	P("STACK_WIDTH_64", ZYDIS_STACK_WIDTH_64);
	P("ATTRIB_HAS_MODRM", ZYDIS_ATTRIB_HAS_MODRM);
	P("CATEGORY_CALL", ZYDIS_CATEGORY_CALL);
	P("CATEGORY_COND_BR", ZYDIS_CATEGORY_COND_BR);
	P("CATEGORY_UNCOND_BR", ZYDIS_CATEGORY_UNCOND_BR);
	P("CATEGORY_RET", ZYDIS_CATEGORY_RET);
	P("OPERAND_TYPE_REGISTER", ZYDIS_OPERAND_TYPE_REGISTER);
	P("OPERAND_TYPE_MEMORY", ZYDIS_OPERAND_TYPE_MEMORY);
	P("OPERAND_TYPE_IMMEDIATE", ZYDIS_OPERAND_TYPE_IMMEDIATE);
	P("OPERAND_VISIBILITY_HIDDEN", ZYDIS_OPERAND_VISIBILITY_HIDDEN);
	P("MEMOP_TYPE_AGEN", ZYDIS_MEMOP_TYPE_AGEN);
	P("REGISTER_NONE", ZYDIS_REGISTER_NONE);
	P("REGISTER_RIP", ZYDIS_REGISTER_RIP);
	P("MNEMONIC_CALL", ZYDIS_MNEMONIC_CALL);
	P("MNEMONIC_JMP", ZYDIS_MNEMONIC_JMP);
	P("MNEMONIC_RET", ZYDIS_MNEMONIC_RET);
	P("MNEMONIC_NOP", ZYDIS_MNEMONIC_NOP);
	P("MNEMONIC_INT3", ZYDIS_MNEMONIC_INT3);
	P("MNEMONIC_UD2", ZYDIS_MNEMONIC_UD2);
	P("MNEMONIC_LEA", ZYDIS_MNEMONIC_LEA);
	P("MNEMONIC_MOV", ZYDIS_MNEMONIC_MOV);
	P("MNEMONIC_PUSH", ZYDIS_MNEMONIC_PUSH);
	return 0;
}
