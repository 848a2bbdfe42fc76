/**
 * Live pictures of the kernel's updates and monitors with call rates, shared by {@code dynamos top} and the
 * Control Center ({@code dynamos ui}).
 */
package dynamos.live;
