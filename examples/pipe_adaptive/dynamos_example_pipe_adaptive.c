// SPDX-License-Identifier: GPL-2.0
/*
 * Adaptive pipe buffers: a synchronized update of a subsystem that never quiesces.
 *
 * A pipe that carries much data gets a larger ring (1 MiB instead of 64 KiB) while data flows
 * through it, without losing or duplicating a byte; pipes that carry little keep the default.
 * pipe_read() and pipe_write() (fs/pipe.c, Debian 6.1) always have tasks inside them (readers
 * sleep there), so the update moves in phases, as the DynAMOS paper describes:
 *
 *   phase 1  intermediate versions (2) of pipe_read and pipe_write are active: the original
 *            logic, plus: wherever they take the pipe lock - on entry and after waking up - if
 *            the update's must_update flag is raised they continue in the new logic.
 *   phase 2  once no task runs the originals any more (dynamos in-use), the final versions (3),
 *            new logic only, are activated as a group (./finish).
 *
 * The new logic: before touching the ring, a pipe marked for adaptation is resized to 1 MiB
 * under the pipe lock, keeping its buffered data (the kernel's pipe_resize_ring()), and gets a
 * page pool: the reader puts the pages it has emptied there instead of freeing them, the writer
 * takes its pages from there instead of allocating them.  With Debian's init_on_alloc every
 * fresh page is also cleared, so a recycled page saves the allocator, the memcg charge and a
 * 4 KiB clear; it is what 6.1 already does for one page (pipe->tmp_page), for a whole ring.
 *
 * The adaptation handler on pipe_write counts the bytes written to each pipe in a shadow of its
 * pipe_inode_info.  Past 64 KiB it marks the pipe and raises must_update.  It runs in the ftrace
 * callback (preemption off, no sleeping), so it only decides: the resize itself needs the pipe
 * mutex and an allocation, and happens in the versions.  free_pipe_info() gets a wrapper that
 * drops the pipe's shadow, so a new pipe at the same address starts afresh.
 *
 * Kernel symbols that are not exported - pipe_resize_ring() and the anon_pipe_buf_ops table that
 * pipe_write() puts in new buffers - are declared extern and bound by 'dynamos apply'.
 */
#define pr_fmt(fmt) "pipe_adaptive: " fmt

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/fcntl.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/pipe_fs_i.h>
#include <linux/poll.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uio.h>
#include <dynamos.h>

#define ADAPT_AFTER	(64 * 1024)	/* bytes written before a pipe adapts */
#define ADAPTED_SLOTS	256		/* 1 MiB of 4 KiB pages: the default pipe-max-size */

/* Not exported: bound from /proc/kallsyms by 'dynamos apply'. */
extern int pipe_resize_ring(struct pipe_inode_info *pipe, unsigned int nr_slots);
extern const struct pipe_buf_operations anon_pipe_buf_ops;

/*
 * The page pool of an adapted pipe: pages the reader emptied, for the writer to fill again.
 * @pages and @count are protected by the pipe mutex (pipe_read and pipe_write hold it whenever
 * they touch the ring); @node by pools_lock.  Every page in it has one reference, ours, and is
 * charged to the memory cgroup it was allocated for, as it was while in the ring.  A pipe never
 * holds more pages than it once held at the same time: the writer allocates only when the pool
 * is empty, and the reader moves pages from the ring to the pool.
 */
struct pipe_pool {
	struct list_head node;		/* on pools, for module exit */
	unsigned int count;
	struct page *pages[ADAPTED_SLOTS];
};

/* The new fields of struct pipe_inode_info. */
struct pipe_ext {
	atomic64_t written;		/* bytes offered to pipe_write */
	atomic_t marked;		/* 1: resize at the next chance (set by the handler) */
	bool adapted;			/* resized; under the pipe mutex */
	struct pipe_pool *pool;		/* set once, under the pipe mutex; NULL: none */
};

static struct dynamos_shadow_table pipe_exts;
static struct dynamos_state *state;

/* Every pool, so module exit frees the pools of pipes that outlive the update. */
static LIST_HEAD(pools);
static DEFINE_SPINLOCK(pools_lock);	/* protects pools; process context only */

/* Statistics for /proc/dynamos_pipe_adaptive. */
static atomic_long_t adapted_pipes = ATOMIC_LONG_INIT(0);
static atomic_long_t resize_failures = ATOMIC_LONG_INIT(0);
static atomic_long_t readers_crossed = ATOMIC_LONG_INIT(0);
static atomic_long_t writers_crossed = ATOMIC_LONG_INIT(0);
static atomic_long_t pool_failures = ATOMIC_LONG_INIT(0);
static atomic_long_t pages_recycled = ATOMIC_LONG_INIT(0);
static atomic_long_t pages_pooled = ATOMIC_LONG_INIT(0);	/* in pools right now */

typedef void (free_pipe_info_t)(struct pipe_inode_info *pipe);
static free_pipe_info_t *orig_free_pipe_info;

/* ---- the new logic ---------------------------------------------------------------------- */

static struct pipe_pool *pool_new(void)
{
	struct pipe_pool *pool = kzalloc(sizeof(*pool), GFP_KERNEL);

	if (!pool)
		return NULL;
	spin_lock(&pools_lock);
	list_add(&pool->node, &pools);
	spin_unlock(&pools_lock);
	return pool;
}

/* Frees a pool and its pages; nobody else may use it any more. */
static void pool_free(struct pipe_pool *pool)
{
	unsigned int i;

	spin_lock(&pools_lock);
	list_del(&pool->node);
	spin_unlock(&pools_lock);
	for (i = 0; i < pool->count; i++)
		put_page(pool->pages[i]);
	atomic_long_sub(pool->count, &pages_pooled);
	kfree(pool);
}

/*
 * Keeps the page of an emptied buffer instead of releasing it, if it is an ordinary pipe page
 * nobody else holds (tee and splice take references of their own) and the pool has room.
 * Pipe mutex held.  Return: true if the pool took the page (the buffer is released).
 */
static bool pool_put(struct pipe_pool *pool, struct pipe_buffer *buf)
{
	if (!pool || pool->count >= ADAPTED_SLOTS || buf->ops != &anon_pipe_buf_ops ||
	    page_ref_count(buf->page) != 1)
		return false;
	pool->pages[pool->count++] = buf->page;
	buf->ops = NULL;
	return true;
}

/* A page for the writer to fill, or NULL if the pool is empty.  Pipe mutex held. */
static struct page *pool_get(struct pipe_pool *pool)
{
	if (!pool || !pool->count)
		return NULL;
	return pool->pages[--pool->count];
}

/*
 * Resizes a marked pipe, keeping its data, and gives it a page pool.  Called with the pipe
 * mutex held.  Return: the pipe's pool, or NULL if it has none (not adapted, or no memory).
 */
static struct pipe_pool *pipe_adapt(struct pipe_inode_info *pipe)
{
	struct pipe_ext *ext = dynamos_shadow_find(&pipe_exts, pipe);
	int err;

	if (!ext)
		return NULL;
	if (ext->adapted || !atomic_read(&ext->marked))
		return ext->pool;
	ext->adapted = true;
	ext->pool = pool_new();
	if (!ext->pool)
		atomic_long_inc(&pool_failures);	/* the pipe allocates its pages as before */
	if (pipe->ring_size >= ADAPTED_SLOTS)
		return ext->pool;
	err = pipe_resize_ring(pipe, ADAPTED_SLOTS);
	if (err) {
		atomic_long_inc(&resize_failures);	/* the pipe keeps working, unadapted */
		return ext->pool;
	}
	/* pipe_resize_ring() only ever lowers max_usage; pipe_set_size() raises it like this. */
	pipe->max_usage = ADAPTED_SLOTS;
	atomic_long_inc(&adapted_pipes);
	return ext->pool;
}

/* Whether a version in phase 1 continues in the new logic from here on. */
static bool cross_over(atomic_long_t *crossed)
{
	if (!dynamos_must_update(state))
		return false;
	atomic_long_inc(crossed);
	return true;
}

/* ---- pipe_read: 6.1's body, with the crossing point ------------------------------------- */

static inline bool pipe_readable(const struct pipe_inode_info *pipe)
{
	unsigned int head = READ_ONCE(pipe->head);
	unsigned int tail = READ_ONCE(pipe->tail);
	unsigned int writers = READ_ONCE(pipe->writers);

	return !pipe_empty(head, tail) || !writers;
}

/* @new_logic: the final version; false: the intermediate one, which may cross over. */
static noinline ssize_t pipe_read_body(struct kiocb *iocb, struct iov_iter *to, bool new_logic)
{
	size_t total_len = iov_iter_count(to);
	struct file *filp = iocb->ki_filp;
	struct pipe_inode_info *pipe = filp->private_data;
	bool was_full, wake_next_reader = false;
	struct pipe_pool *pool = NULL;
	long pooled = 0;
	ssize_t ret;

	if (unlikely(total_len == 0))
		return 0;

	ret = 0;
	mutex_lock_nested(&pipe->mutex, I_MUTEX_PARENT);
	if (!new_logic && cross_over(&readers_crossed))
		new_logic = true;
	if (new_logic)
		pool = pipe_adapt(pipe);

	was_full = pipe_full(pipe->head, pipe->tail, pipe->max_usage);
	for (;;) {
		unsigned int head = smp_load_acquire(&pipe->head);
		unsigned int tail = pipe->tail;
		unsigned int mask = pipe->ring_size - 1;

#ifdef CONFIG_WATCH_QUEUE
		if (pipe->note_loss) {
			struct watch_notification n;

			if (total_len < 8) {
				if (ret == 0)
					ret = -ENOBUFS;
				break;
			}
			n.type = WATCH_TYPE_META;
			n.subtype = WATCH_META_LOSS_NOTIFICATION;
			n.info = watch_sizeof(n);
			if (copy_to_iter(&n, sizeof(n), to) != sizeof(n)) {
				if (ret == 0)
					ret = -EFAULT;
				break;
			}
			ret += sizeof(n);
			total_len -= sizeof(n);
			pipe->note_loss = false;
		}
#endif

		if (!pipe_empty(head, tail)) {
			struct pipe_buffer *buf = &pipe->bufs[tail & mask];
			size_t chars = buf->len;
			size_t written;
			int error;

			if (chars > total_len) {
				if (buf->flags & PIPE_BUF_FLAG_WHOLE) {
					if (ret == 0)
						ret = -ENOBUFS;
					break;
				}
				chars = total_len;
			}

			error = pipe_buf_confirm(pipe, buf);
			if (error) {
				if (!ret)
					ret = error;
				break;
			}

			written = copy_page_to_iter(buf->page, buf->offset, chars, to);
			if (unlikely(written < chars)) {
				if (!ret)
					ret = -EFAULT;
				break;
			}
			ret += chars;
			buf->offset += chars;
			buf->len -= chars;

			if (buf->flags & PIPE_BUF_FLAG_PACKET) {
				total_len = chars;
				buf->len = 0;
			}

			if (!buf->len) {
				if (pool_put(pool, buf))
					pooled++;
				else
					pipe_buf_release(pipe, buf);
				spin_lock_irq(&pipe->rd_wait.lock);
#ifdef CONFIG_WATCH_QUEUE
				if (buf->flags & PIPE_BUF_FLAG_LOSS)
					pipe->note_loss = true;
#endif
				tail++;
				pipe->tail = tail;
				spin_unlock_irq(&pipe->rd_wait.lock);
			}
			total_len -= chars;
			if (!total_len)
				break;
			if (!pipe_empty(head, tail))
				continue;
		}

		if (!pipe->writers)
			break;
		if (ret)
			break;
		if (filp->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		mutex_unlock(&pipe->mutex);

		if (unlikely(was_full))
			wake_up_interruptible_sync_poll(&pipe->wr_wait, EPOLLOUT | EPOLLWRNORM);
		kill_fasync(&pipe->fasync_writers, SIGIO, POLL_OUT);

		if (wait_event_interruptible_exclusive(pipe->rd_wait, pipe_readable(pipe)) < 0)
			return -ERESTARTSYS;

		mutex_lock_nested(&pipe->mutex, I_MUTEX_PARENT);
		/* Woken up: the crossing point of the intermediate version. */
		if (!new_logic && cross_over(&readers_crossed))
			new_logic = true;
		if (new_logic)
			pool = pipe_adapt(pipe);
		was_full = pipe_full(pipe->head, pipe->tail, pipe->max_usage);
		wake_next_reader = true;
	}
	if (pipe_empty(pipe->head, pipe->tail))
		wake_next_reader = false;
	mutex_unlock(&pipe->mutex);
	if (pooled)
		atomic_long_add(pooled, &pages_pooled);

	if (was_full)
		wake_up_interruptible_sync_poll(&pipe->wr_wait, EPOLLOUT | EPOLLWRNORM);
	if (wake_next_reader)
		wake_up_interruptible_sync_poll(&pipe->rd_wait, EPOLLIN | EPOLLRDNORM);
	kill_fasync(&pipe->fasync_writers, SIGIO, POLL_OUT);
	if (ret > 0)
		file_accessed(filp);
	return ret;
}

/* ---- pipe_write: 6.1's body, with the crossing points ----------------------------------- */

static inline bool pipe_writable(const struct pipe_inode_info *pipe)
{
	unsigned int head = READ_ONCE(pipe->head);
	unsigned int tail = READ_ONCE(pipe->tail);
	unsigned int max_usage = READ_ONCE(pipe->max_usage);

	return !pipe_full(head, tail, max_usage) || !READ_ONCE(pipe->readers);
}

static noinline ssize_t pipe_write_body(struct kiocb *iocb, struct iov_iter *from, bool new_logic)
{
	struct file *filp = iocb->ki_filp;
	struct pipe_inode_info *pipe = filp->private_data;
	unsigned int head;
	ssize_t ret = 0;
	size_t total_len = iov_iter_count(from);
	ssize_t chars;
	bool was_empty = false;
	bool wake_next_writer = false;
	struct pipe_pool *pool = NULL;
	long recycled = 0;

	if (pipe_has_watch_queue(pipe))
		return -EXDEV;
	if (unlikely(total_len == 0))
		return 0;

	mutex_lock_nested(&pipe->mutex, I_MUTEX_PARENT);
	if (!new_logic && cross_over(&writers_crossed))
		new_logic = true;
	if (new_logic)
		pool = pipe_adapt(pipe);

	if (!pipe->readers) {
		send_sig(SIGPIPE, current, 0);
		ret = -EPIPE;
		goto out;
	}

	head = pipe->head;
	was_empty = pipe_empty(head, pipe->tail);
	chars = total_len & (PAGE_SIZE - 1);
	if (chars && !was_empty) {
		unsigned int mask = pipe->ring_size - 1;
		struct pipe_buffer *buf = &pipe->bufs[(head - 1) & mask];
		int offset = buf->offset + buf->len;

		if ((buf->flags & PIPE_BUF_FLAG_CAN_MERGE) && offset + chars <= PAGE_SIZE) {
			ret = pipe_buf_confirm(pipe, buf);
			if (ret)
				goto out;

			ret = copy_page_from_iter(buf->page, offset, chars, from);
			if (unlikely(ret < chars)) {
				ret = -EFAULT;
				goto out;
			}

			buf->len += ret;
			if (!iov_iter_count(from))
				goto out;
		}
	}

	for (;;) {
		if (!pipe->readers) {
			send_sig(SIGPIPE, current, 0);
			if (!ret)
				ret = -EPIPE;
			break;
		}

		head = pipe->head;
		if (!pipe_full(head, pipe->tail, pipe->max_usage)) {
			unsigned int mask = pipe->ring_size - 1;
			struct pipe_buffer *buf = &pipe->bufs[head & mask];
			struct page *page = pipe->tmp_page;
			int copied;

			if (!page) {
				page = pool_get(pool);
				if (page)
					recycled++;
				else
					page = alloc_page(GFP_HIGHUSER | __GFP_ACCOUNT);
				if (unlikely(!page)) {
					ret = ret ? : -ENOMEM;
					break;
				}
				pipe->tmp_page = page;
			}

			spin_lock_irq(&pipe->rd_wait.lock);
			head = pipe->head;
			if (pipe_full(head, pipe->tail, pipe->max_usage)) {
				spin_unlock_irq(&pipe->rd_wait.lock);
				continue;
			}
			pipe->head = head + 1;
			spin_unlock_irq(&pipe->rd_wait.lock);

			buf = &pipe->bufs[head & mask];
			buf->page = page;
			buf->ops = &anon_pipe_buf_ops;
			buf->offset = 0;
			buf->len = 0;
			if (filp->f_flags & O_DIRECT)
				buf->flags = PIPE_BUF_FLAG_PACKET;
			else
				buf->flags = PIPE_BUF_FLAG_CAN_MERGE;
			pipe->tmp_page = NULL;

			copied = copy_page_from_iter(page, 0, PAGE_SIZE, from);
			if (unlikely(copied < PAGE_SIZE && iov_iter_count(from))) {
				if (!ret)
					ret = -EFAULT;
				break;
			}
			ret += copied;
			buf->offset = 0;
			buf->len = copied;

			if (!iov_iter_count(from))
				break;
		}

		if (!pipe_full(head, pipe->tail, pipe->max_usage))
			continue;

		if (filp->f_flags & O_NONBLOCK) {
			if (!ret)
				ret = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			if (!ret)
				ret = -ERESTARTSYS;
			break;
		}

		mutex_unlock(&pipe->mutex);
		if (was_empty)
			wake_up_interruptible_sync_poll(&pipe->rd_wait, EPOLLIN | EPOLLRDNORM);
		kill_fasync(&pipe->fasync_readers, SIGIO, POLL_IN);
		wait_event_interruptible_exclusive(pipe->wr_wait, pipe_writable(pipe));
		mutex_lock_nested(&pipe->mutex, I_MUTEX_PARENT);
		/* Woken up: the crossing point of the intermediate version. */
		if (!new_logic && cross_over(&writers_crossed))
			new_logic = true;
		if (new_logic)
			pool = pipe_adapt(pipe);
		was_empty = pipe_empty(pipe->head, pipe->tail);
		wake_next_writer = true;
	}
out:
	if (pipe_full(pipe->head, pipe->tail, pipe->max_usage))
		wake_next_writer = false;
	mutex_unlock(&pipe->mutex);
	if (recycled) {
		atomic_long_add(recycled, &pages_recycled);
		atomic_long_sub(recycled, &pages_pooled);
	}

	if (was_empty || pipe->poll_usage)
		wake_up_interruptible_sync_poll(&pipe->rd_wait, EPOLLIN | EPOLLRDNORM);
	kill_fasync(&pipe->fasync_readers, SIGIO, POLL_IN);
	if (wake_next_writer)
		wake_up_interruptible_sync_poll(&pipe->wr_wait, EPOLLOUT | EPOLLWRNORM);
	if (ret > 0 && sb_start_write_trylock(file_inode(filp)->i_sb)) {
		int err = file_update_time(filp);

		if (err)
			ret = err;
		sb_end_write(file_inode(filp)->i_sb);
	}
	return ret;
}

/*
 * The versions.  Each keeps a frame of its own on the stack while the shared body runs (no tail
 * call), so the framework's quiescence checks see which version a task is in.
 */
static noinline ssize_t pipe_read_intermediate(struct kiocb *iocb, struct iov_iter *to)
{
	ssize_t ret = pipe_read_body(iocb, to, false);

	OPTIMIZER_HIDE_VAR(ret);
	return ret;
}

static noinline ssize_t pipe_read_final(struct kiocb *iocb, struct iov_iter *to)
{
	ssize_t ret = pipe_read_body(iocb, to, true);

	OPTIMIZER_HIDE_VAR(ret);
	return ret;
}

static noinline ssize_t pipe_write_intermediate(struct kiocb *iocb, struct iov_iter *from)
{
	ssize_t ret = pipe_write_body(iocb, from, false);

	OPTIMIZER_HIDE_VAR(ret);
	return ret;
}

static noinline ssize_t pipe_write_final(struct kiocb *iocb, struct iov_iter *from)
{
	ssize_t ret = pipe_write_body(iocb, from, true);

	OPTIMIZER_HIDE_VAR(ret);
	return ret;
}

/*
 * A freed pipe's shadow and pool go with it.  Process context; the pipe has no files any more,
 * so nobody else uses the pool.
 */
static noinline void free_pipe_info_v2(struct pipe_inode_info *pipe)
{
	struct pipe_ext *ext = dynamos_shadow_find(&pipe_exts, pipe);

	if (ext && ext->pool) {
		pool_free(ext->pool);
		ext->pool = NULL;
	}
	dynamos_shadow_remove(&pipe_exts, pipe);	/* -ENOENT: it never wrote */
	orig_free_pipe_info(pipe);
}

/*
 * Adaptation handler of pipe_write: counts the bytes per pipe and marks a pipe that passes
 * ADAPT_AFTER.  ftrace-callback context: preemption off, process context of the writer with
 * IRQs on, so a shadow may be created with GFP_ATOMIC; no sleeping, no pipe mutex.
 */
static int notrace pipe_write_handler(const struct dynamos_call *call)
{
	struct kiocb *iocb = (struct kiocb *)dynamos_arg(call, 0);
	struct iov_iter *from = (struct iov_iter *)dynamos_arg(call, 1);
	struct pipe_inode_info *pipe = iocb->ki_filp->private_data;
	struct pipe_ext *ext = dynamos_shadow_find(&pipe_exts, pipe);

	if (!ext) {
		ext = dynamos_shadow_create(&pipe_exts, pipe, sizeof(*ext), GFP_ATOMIC);
		if (IS_ERR(ext))	/* -EEXIST: a concurrent writer made it */
			ext = dynamos_shadow_find(&pipe_exts, pipe);
		if (!ext)
			return 0;
	}
	if (atomic64_add_return(iov_iter_count(from), &ext->written) > ADAPT_AFTER &&
	    !atomic_xchg(&ext->marked, 1)) {
		/* Everything before (the mark) is visible to whoever sees must_update. */
		dynamos_set_must_update(state, true);
	}
	return 0;
}

/* Phase 1 starts when the intermediate versions are active. */
static int pipe_adaptive_activated(void)
{
	dynamos_set_phase(state, 1);
	return 0;
}

static int stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "phase %d must_update %d shadows %lu adapted_pipes %ld resize_failures %ld readers_crossed %ld writers_crossed %ld pool_failures %ld pages_recycled %ld pages_pooled %ld\n",
		   dynamos_phase(state), dynamos_must_update(state),
		   dynamos_shadow_count(&pipe_exts), atomic_long_read(&adapted_pipes),
		   atomic_long_read(&resize_failures), atomic_long_read(&readers_crossed),
		   atomic_long_read(&writers_crossed), atomic_long_read(&pool_failures),
		   atomic_long_read(&pages_recycled), atomic_long_read(&pages_pooled));
	return 0;
}

static int __init pipe_adaptive_init(void)
{
	int ret;

	orig_free_pipe_info = (free_pipe_info_t *)dynamos_original_by_name("free_pipe_info");
	if (!orig_free_pipe_info)
		return -ENOENT;
	state = dynamos_state_get("pipe_adaptive");
	if (!state)
		return -ENOMEM;
	ret = dynamos_shadow_init(&pipe_exts);
	if (ret)
		goto put_state;
	if (!proc_create_single("dynamos_pipe_adaptive", 0444, NULL, stats_show)) {
		ret = -ENOMEM;
		goto cleanup;
	}
	return 0;
cleanup:
	dynamos_shadow_cleanup(&pipe_exts);
put_state:
	dynamos_state_put(state);
	return ret;
}

/*
 * The versions are gone (revert waited until no task ran them), so nothing uses a pool any
 * more: the pools of pipes that are still open are freed here, their pipes allocate again.
 */
static void __exit pipe_adaptive_exit(void)
{
	long pages = atomic_long_read(&pages_pooled);
	unsigned int n = 0;

	remove_proc_entry("dynamos_pipe_adaptive", NULL);
	for (;;) {
		struct pipe_pool *pool;

		spin_lock(&pools_lock);
		pool = list_first_entry_or_null(&pools, struct pipe_pool, node);
		spin_unlock(&pools_lock);
		if (!pool)
			break;
		pool_free(pool);
		n++;
	}
	pr_info("exit: %ld pipe(s) adapted, %ld page(s) recycled, %u pool(s) of open pipes freed with %ld page(s), %lu shadow(s) freed\n",
		atomic_long_read(&adapted_pipes), atomic_long_read(&pages_recycled), n, pages,
		dynamos_shadow_cleanup(&pipe_exts));
	dynamos_state_put(state);
}

module_init(pipe_adaptive_init);
module_exit(pipe_adaptive_exit);

DYNAMOS_UPDATE("pipe_adaptive");
DYNAMOS_REPLACE(1, pipe_write, pipe_write_intermediate);
DYNAMOS_REPLACE_VERSION(1, 3, pipe_write, pipe_write_final);
DYNAMOS_REPLACE(2, pipe_read, pipe_read_intermediate);
DYNAMOS_REPLACE_VERSION(2, 3, pipe_read, pipe_read_final);
DYNAMOS_REPLACE(3, free_pipe_info, free_pipe_info_v2);
DYNAMOS_ACTIVATE(1, 2);
DYNAMOS_ACTIVATE(2, 2);
DYNAMOS_HANDLER(1, pipe_write_handler);
DYNAMOS_HOOK(post_activation, 1, 2, pipe_adaptive_activated);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS example: adaptive pipe buffers, a synchronized update of pipe_read/pipe_write");
