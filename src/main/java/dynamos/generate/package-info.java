/**
 * From a source patch to a live update (issue 17): which functions of the running kernel a patch replaces,
 * what comes along, what the new code binds to in the running kernel, and what cannot be done live. The
 * plan ({@link dynamos.generate.PatchPlanner}) checks every function it replaces or binds against the running
 * kernel's code: a generated update never assumes that the source is what runs.
 */
package dynamos.generate;
