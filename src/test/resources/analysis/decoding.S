/*
 * Hand-written functions with one decoded property each, for CodeDecodingTest: linked at the kernel's
 * text address so absolute references (a jump table, mov $addr) hold real addresses.
 */
	.text
	.globl _text, _stext, _etext
_text:
_stext:
	.globl caller
	.type caller, @function
caller:
	nopl 0(%rax,%rax,1)
	call callee
	test %eax, %eax
	jne 1f
	jmp tailee
1:	jmp __x86_return_thunk
	.p2align 4, 0xcc
	.type switcher, @function
switcher:
	cmp $2, %rdi
	ja .Ldefault
	jmp *switch_table(,%rdi,8)
.Lcase0: mov $1, %eax
	ret
.Lcase1: mov $2, %eax
	ret
.Lcase2: mov $3, %eax
	ret
.Ldefault: xor %eax, %eax
	ret
	.p2align 4, 0xcc
	.type dispatcher, @function
dispatcher:
	mov handlers(,%rdi,8), %rax
	jmp __x86_indirect_thunk_rax
	.p2align 4, 0xcc
	.type looper, @function
looper:
	push %rbx
2:	sub $1, %rdi
	test %rdi, %rdi
	jnz 2b
	pop %rbx
	ret
	.p2align 4, 0xcc
	.type withdata, @function
withdata:
	lea 3f(%rip), %rax
	ret
3:	.byte 0x06, 0x06, 0x06, 0x06
	.p2align 4, 0xcc
	.type midref, @function
midref:
	lea switcher+3(%rip), %rax
	mov $switcher+5, %rax
	lea withdata(%rip), %rax
	ret
	.p2align 4, 0xcc
	.type callee, @function
callee:
	xor %eax, %eax
	ret
	.p2align 4, 0xcc
	.type tailee, @function
tailee:
	mov $1, %eax
	ret
	.p2align 4, 0xcc
	.globl __indirect_thunk_start, __indirect_thunk_end
__indirect_thunk_start:
	.type __x86_indirect_thunk_rax, @function
__x86_indirect_thunk_rax:
	jmp *%rax
	int3
	.p2align 4, 0xcc
	.type __x86_return_thunk, @function
__x86_return_thunk:
	ret
	int3
__indirect_thunk_end:
_etext:

	.section .rodata
switch_table:
	.quad .Lcase0, .Lcase1, .Lcase2
handlers:
	.quad callee, tailee
