// SPDX-License-Identifier: GPL-2.0
/*
 * Live security fix: no writing into other users' FIFOs in sticky, world-writable directories.
 *
 * The hardening Openwall's patches brought to Linux 2.4 and the DynAMOS paper applied live: in a
 * directory like /tmp (sticky and world-writable) an attacker can leave a FIFO where a victim
 * expects to write a file of its own, and read what the victim writes.  Opening a FIFO there for
 * writing is refused unless the FIFO belongs to the writer or to the directory's owner.  Stock 6.1
 * has the weaker fs.protected_fifos, which only covers opens with O_CREAT and is off by default.
 *
 * The check belongs where the kernel decides whether an open is allowed.  The function that holds
 * the O_CREAT sticky check, may_create_in_sticky(), is inlined (with do_open()) into path_openat(),
 * whose full copy would drag in link_path_walk(), which GCC split and specialised
 * (link_path_walk.part.0.constprop.0: another calling convention).  So this update fully copies
 * may_open(), the static, non-inlined function every regular open passes through right before
 * vfs_open(), and adds the check there; may_open() sees the FIFO's path, and its directory is the
 * dentry's parent.
 *
 * The copy uses three kernel functions that are not exported to modules: may_open_dev(),
 * path_noexec() and audit_log_path_denied().  They are declared here and bound to the running
 * kernel's addresses by 'dynamos apply' (from /proc/kallsyms).
 */
#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/path.h>
#include <linux/ratelimit.h>
#include <dynamos.h>

/* Not exported: resolved by 'dynamos apply'. */
extern bool may_open_dev(const struct path *path);
extern bool path_noexec(const struct path *path);
extern void audit_log_path_denied(int type, const char *operation);

static atomic_long_t refused = ATOMIC_LONG_INIT(0);

/*
 * Whether opening the FIFO at @path with @acc_mode must be refused: for writing, in a sticky
 * world-writable directory, owned neither by the writer (fsuid) nor by the directory's owner.
 */
static bool fifo_write_refused(struct user_namespace *mnt_userns, const struct path *path,
			       int acc_mode)
{
	struct inode *inode = d_backing_inode(path->dentry);
	struct dentry *parent;
	struct inode *dir;
	kuid_t fifo_uid;
	bool refuse;

	if (!S_ISFIFO(inode->i_mode) || !(acc_mode & MAY_WRITE))
		return false;
	fifo_uid = i_uid_into_mnt(mnt_userns, inode);
	if (uid_eq(fifo_uid, current_fsuid()))
		return false;

	/* A reference keeps the directory while a rename may move the FIFO elsewhere. */
	parent = dget_parent(path->dentry);
	dir = d_backing_inode(parent);
	refuse = dir && (dir->i_mode & S_ISVTX) && (dir->i_mode & S_IWOTH) &&
		 !uid_eq(fifo_uid, i_uid_into_mnt(mnt_userns, dir));
	dput(parent);
	return refuse;
}

/* may_open() of fs/namei.c (Debian 6.1), plus the FIFO check before the permission check. */
static noinline int may_open_v2(struct user_namespace *mnt_userns, const struct path *path,
				int acc_mode, int flag)
{
	struct dentry *dentry = path->dentry;
	struct inode *inode = dentry->d_inode;
	int error;

	if (!inode)
		return -ENOENT;

	switch (inode->i_mode & S_IFMT) {
	case S_IFLNK:
		return -ELOOP;
	case S_IFDIR:
		if (acc_mode & MAY_WRITE)
			return -EISDIR;
		if (acc_mode & MAY_EXEC)
			return -EACCES;
		break;
	case S_IFBLK:
	case S_IFCHR:
		if (!may_open_dev(path))
			return -EACCES;
		fallthrough;
	case S_IFIFO:
	case S_IFSOCK:
		if (acc_mode & MAY_EXEC)
			return -EACCES;
		if (fifo_write_refused(mnt_userns, path, acc_mode)) {
			atomic_long_inc(&refused);
			audit_log_path_denied(AUDIT_ANOM_CREAT, "fifo_sticky_write");
			pr_notice_ratelimited("fifo_sticky: refused pid %d (%s) writing to FIFO %pd owned by uid %u in a sticky world-writable directory\n",
					      task_pid_nr(current), current->comm, dentry,
					      from_kuid(&init_user_ns, inode->i_uid));
			return -EACCES;
		}
		flag &= ~O_TRUNC;
		break;
	case S_IFREG:
		if ((acc_mode & MAY_EXEC) && path_noexec(path))
			return -EACCES;
		break;
	}

	error = inode_permission(mnt_userns, inode, MAY_OPEN | acc_mode);
	if (error)
		return error;

	/* An append-only file must be opened in append mode for writing. */
	if (IS_APPEND(inode)) {
		if ((flag & O_ACCMODE) != O_RDONLY && !(flag & O_APPEND))
			return -EPERM;
		if (flag & O_TRUNC)
			return -EPERM;
	}

	/* O_NOATIME can only be set by the owner or superuser. */
	if (flag & O_NOATIME && !inode_owner_or_capable(mnt_userns, inode))
		return -EPERM;

	return 0;
}

/* Says in the kernel log how much the fix did while it was active. */
static int fifo_sticky_post_removal(void)
{
	pr_info("fifo_sticky: removed; refused %ld FIFO open(s) while active\n",
		atomic_long_read(&refused));
	return 0;
}

DYNAMOS_UPDATE("fifo_sticky");
DYNAMOS_REPLACE(1, may_open, may_open_v2);
DYNAMOS_HOOK(post_removal, 1, 2, fifo_sticky_post_removal);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS update: refuse writing into others' FIFOs in sticky world-writable directories");
