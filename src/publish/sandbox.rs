//! Memory and time bounds for rendering a repository's templates.
//!
//! minijinja bounds instructions (fuel), recursion and a single string repeat, but not the
//! size of the values a template builds: `{% set ns.s = ns.s ~ ns.s %}` in a loop doubles a
//! string forty times with a few hundred instructions. The binary's global allocator is
//! [`Counting`], which counts the bytes each thread holds while a [`Guard`] is active (one
//! render). A render that holds more than [`MAX_RENDER_BYTES`], or runs longer than
//! [`MAX_RENDER_TIME`] (CPU time, where the system keeps it per thread), ends the process with exit code 2 and a message naming the template:
//! an allocator cannot return an error into the template engine, and nothing has been written
//! yet when templates run (the site is written after every page rendered), so exiting leaves
//! the repository and the site as they were.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Bytes one render may hold at once, beyond what its thread held when it started: the output
/// cap ([`super::templates::MAX_OUTPUT`]) plus room for the page's own values.
pub const MAX_RENDER_BYTES: i64 = 160 * 1024 * 1024;

/// Longest one render may run, in CPU time of its thread ([`Started`]; a real page takes
/// milliseconds, the index of 45,000 advisories about a second; fuel stops most loops first).
pub const MAX_RENDER_TIME: Duration = Duration::from_secs(30);

thread_local! {
    /// Bytes allocated minus bytes freed by this thread since its render began.
    static HELD: Cell<i64> = const { Cell::new(0) };
    /// The template being rendered on this thread ("" when none).
    static RENDERING: Cell<&'static str> = const { Cell::new("") };
}

/// A global allocator that bounds the memory of template renders (see the module docs).
pub struct Counting<A>(pub A);

fn account(delta: i64) {
    let _ = RENDERING.try_with(|name| {
        let name = name.get();
        if name.is_empty() {
            return;
        }
        let _ = HELD.try_with(|held| {
            let now = held.get().saturating_add(delta);
            held.set(now);
            if now > MAX_RENDER_BYTES {
                stop(name, "it held more than 160 MiB of memory (a runaway repetition or concatenation?)");
            }
        });
    });
}

/// Ends the process: no allocation (the allocator may be the caller), exit code 2.
fn stop(name: &str, why: &str) -> ! {
    let parts: [&[u8]; 5] = [b"Error: template templates/", name.as_bytes(), b" was stopped: ", why.as_bytes(), b"\n"];
    for part in parts {
        // SAFETY: writing a valid buffer to stderr; the result does not matter.
        unsafe {
            libc::write(2, part.as_ptr().cast(), part.len());
        }
    }
    // SAFETY: ends the process at once, without running handlers that could allocate.
    unsafe { libc::_exit(2) }
}

// SAFETY: every call is forwarded to the inner allocator unchanged; only counters are touched.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        account(layout.size() as i64);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        account(layout.size() as i64);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        account(-(layout.size() as i64));
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        account(new_size as i64 - layout.size() as i64);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}

/// Renders running now: a number, the template, when it started (its thread's CPU clock and
/// the CPU time it had then, else the wall clock).
static ACTIVE: Mutex<Vec<(u64, &'static str, Started)>> = Mutex::new(Vec::new());

/// When a render started: by its thread's CPU time where the system gives a thread's clock,
/// so that a machine busy with other work does not stop a page that is only waiting for a
/// core (45,000 advisories on one index page at a load of 40 on 2 cores passed 30 seconds of
/// wall time); else by the wall clock.
#[derive(Clone, Copy)]
enum Started {
    Cpu(libc::clockid_t, Duration),
    Wall(Instant),
}

/// The time on `clock`.
fn clock_time(clock: libc::clockid_t) -> Option<Duration> {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid timespec to write; a bad clock id is an error return, not UB.
    let ok = unsafe { libc::clock_gettime(clock, &mut t) } == 0;
    ok.then(|| Duration::new(t.tv_sec.max(0) as u64, t.tv_nsec.clamp(0, 999_999_999) as u32))
}

impl Started {
    /// Now, on this thread.
    fn now() -> Started {
        let mut clock: libc::clockid_t = 0;
        // SAFETY: asks for the CPU clock of the calling thread, written into `clock`.
        let own = unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut clock) } == 0;
        match own.then(|| clock_time(clock)).flatten() {
            Some(t) => Started::Cpu(clock, t),
            None => Started::Wall(Instant::now()),
        }
    }

    /// How long the render has run (CPU time of its thread, or wall time).
    fn elapsed(self) -> Duration {
        match self {
            Started::Cpu(clock, at) => clock_time(clock).map_or(Duration::ZERO, |t| t.saturating_sub(at)),
            Started::Wall(at) => at.elapsed(),
        }
    }
}
static NEXT: AtomicU64 = AtomicU64::new(0);
static WATCHDOG: std::sync::Once = std::sync::Once::new();

/// One render of template `name` on this thread: memory counted, time watched, until dropped.
pub struct Guard {
    id: u64,
}

impl Guard {
    pub fn enter(name: &'static str) -> Guard {
        WATCHDOG.call_once(|| {
            std::thread::spawn(|| {
                loop {
                    std::thread::sleep(Duration::from_millis(200));
                    let late = ACTIVE
                        .lock()
                        .ok()
                        .and_then(|a| a.iter().find(|(_, _, t)| t.elapsed() > MAX_RENDER_TIME).map(|(_, n, _)| *n));
                    if let Some(name) = late {
                        stop(name, "it ran for more than 30 seconds (a runaway loop?)");
                    }
                }
            });
        });
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut a) = ACTIVE.lock() {
            a.push((id, name, Started::now()));
        }
        HELD.with(|h| h.set(0));
        RENDERING.with(|r| r.set(name));
        Guard { id }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        RENDERING.with(|r| r.set(""));
        if let Ok(mut a) = ACTIVE.lock() {
            a.retain(|(id, _, _)| *id != self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_is_timed_by_its_threads_cpu_clock_where_there_is_one() {
        let started = Started::now();
        assert!(matches!(started, Started::Cpu(..)), "Linux keeps a CPU clock per thread");
        // Another thread reads this thread's clock, as the watchdog does.
        let Started::Cpu(clock, _) = started else { unreachable!() };
        assert!(std::thread::scope(|s| s.spawn(|| clock_time(clock)).join().expect("joined")).is_some());
    }
}
