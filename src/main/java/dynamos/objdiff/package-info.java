/**
 * Comparing two compiles of one translation unit, before and after a source patch, function by function and data
 * object by data object: the core of {@code dynamos build --patch} (issue 17). {@link dynamos.objdiff.ObjectComparison}
 * makes an {@link dynamos.objdiff.ObjectDiff}; {@link dynamos.objdiff.LineNumberRule} says when line numbers alone
 * differ; {@link dynamos.objdiff.Refusal}s are what a live update cannot carry.
 */
package dynamos.objdiff;
