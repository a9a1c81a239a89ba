//! Password hashing with argon2id on a fixed set of worker threads.
//!
//! Hashing is slow and takes ~19 MiB on purpose. Run unbounded (one blocking
//! task per sign-in), a burst of sign-ins grew the server to 1.7 GB, never
//! given back (each thread's allocator arena kept its peak). Here each worker
//! owns one memory block for its whole life and reuses it, so hashing costs
//! `workers × 19 MiB` whatever arrives; at most `workers + queue` requests
//! wait for a worker, and any more get [`Busy`] (503) at once instead of
//! piling up. Workers run at a lower CPU priority, so key checks, which need
//! no hashing, stay fast while people sign in.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngCore;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use tokio::sync::{oneshot, Semaphore};

/// Every worker is busy and the queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

enum Job {
    Hash(String, oneshot::Sender<String>),
    Verify(String, Option<String>, oneshot::Sender<bool>),
}

#[derive(Clone)]
pub struct PasswordHasher {
    jobs: mpsc::Sender<Job>,
    slots: Arc<Semaphore>,
    /// How many passwords were checked (tests: the throttle must stop
    /// guesses before this, whatever the machine's size).
    checked: Arc<std::sync::atomic::AtomicU64>,
}

impl PasswordHasher {
    /// `workers` threads; up to `queue` more requests may wait for one.
    pub fn new(workers: usize, queue: usize) -> Self {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let inbox = Arc::new(Mutex::new(inbox));
        let dummy = Arc::new(dummy_hash());
        let checked = Arc::new(std::sync::atomic::AtomicU64::new(0));
        for n in 0..workers.max(1) {
            let inbox = inbox.clone();
            let dummy = dummy.clone();
            let checked = checked.clone();
            std::thread::Builder::new()
                .name(format!("password-hashing-{n}"))
                .spawn(move || work(&inbox, &dummy, &checked))
                .expect("a hashing thread starts");
        }
        PasswordHasher {
            jobs,
            slots: Arc::new(Semaphore::new(workers.max(1) + queue)),
            checked,
        }
    }

    /// How many passwords this hasher has checked so far: argon2 runs
    /// against a stored (or the dummy) hash, not shortcuts.
    pub fn checks(&self) -> u64 {
        self.checked.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// A hasher whose every slot is taken for good: each call answers
    /// [`Busy`], as when a burst has filled the queue (tests).
    pub fn saturated() -> Self {
        let hasher = Self::new(1, 0);
        hasher.slots.close();
        hasher
    }

    /// Sized for this machine: half the cores (at least one) hash, the rest
    /// serve requests.
    pub fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers = (cores / 2).max(1);
        Self::new(workers, 8 * workers)
    }

    pub async fn hash(&self, password: String) -> Result<String, Busy> {
        let _slot = self.slots.clone().try_acquire_owned().map_err(|_| Busy)?;
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Hash(password, reply))
            .map_err(|_| Busy)?;
        answer.await.map_err(|_| Busy)
    }

    /// Checks `password` against `stored`; against a dummy hash when there is
    /// no such person (`None`), which fails in the same time as a wrong password.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Busy> {
        let _slot = self.slots.clone().try_acquire_owned().map_err(|_| Busy)?;
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Verify(password, stored, reply))
            .map_err(|_| Busy)?;
        answer.await.map_err(|_| Busy)
    }
}

fn work(inbox: &Mutex<mpsc::Receiver<Job>>, dummy: &str, checked: &std::sync::atomic::AtomicU64) {
    lower_priority();
    let mut memory = vec![Block::default(); Params::DEFAULT.block_count()];
    loop {
        let job = match inbox.lock().map(|rx| rx.recv()) {
            Ok(Ok(job)) => job,
            _ => return,
        };
        match job {
            Job::Hash(password, reply) => {
                let _ = reply.send(hash_with(&mut memory, &password));
            }
            Job::Verify(password, stored, reply) => {
                let known = stored.is_some();
                let hash = stored.as_deref().unwrap_or(dummy);
                let ok = verify_with(&mut memory, &password, hash, checked) && known;
                let _ = reply.send(ok);
            }
        }
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: plain system calls on this thread's own id.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

fn argon2(params: Params, version: Version) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, version, params)
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), the same
/// format and parameters as argon2's own `hash_password`.
fn hash_with(memory: &mut Vec<Block>, password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .expect("a salt we encoded decodes");
    let params = Params::DEFAULT;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    memory.resize(params.block_count(), Block::default());
    argon2(params.clone(), Version::V0x13)
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, &mut memory[..])
        .expect("default parameters hash any password");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).expect("default parameters encode"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).expect("32 bytes is a valid output")),
    }
    .to_string()
}

fn verify_with(
    memory: &mut Vec<Block>,
    password: &str,
    stored: &str,
    checked: &std::sync::atomic::AtomicU64,
) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(params), Some(salt), Some(expected)) =
        (Params::try_from(&parsed), parsed.salt, parsed.hash)
    else {
        return false;
    };
    let version = parsed
        .version
        .map_or(Ok(Version::V0x13), Version::try_from)
        .unwrap_or(Version::V0x13);
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    memory.resize(params.block_count(), Block::default());
    checked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    if argon2(params, version)
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, &mut memory[..])
        .is_err()
    {
        return false;
    }
    // `Output` compares in constant time.
    Output::new(&out).is_ok_and(|o| o == expected)
}

/// A hash of a password nobody has, for unknown emails.
fn dummy_hash() -> String {
    hash_with(&mut Vec::new(), "keydesk-dummy-password")
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let pool = PasswordHasher::new(1, 4);
        let h = pool.hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(pool
            .verify("correct horse battery".into(), Some(h.clone()))
            .await
            .unwrap());
        assert!(!pool
            .verify("wrong horse battery".into(), Some(h.clone()))
            .await
            .unwrap());
        assert!(!pool
            .verify("keydesk-dummy-password".into(), None)
            .await
            .unwrap());
        // Interchangeable with argon2's own format, so existing hashes keep working.
        let parsed = PasswordHash::new(&h).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
    }

    #[test]
    fn hashes_made_by_argon2_itself_verify() {
        use argon2::PasswordHasher as _;
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        let h = Argon2::default()
            .hash_password(b"pw pw pw pw pw", &salt)
            .unwrap()
            .to_string();
        assert!(verify_with(
            &mut Vec::new(),
            "pw pw pw pw pw",
            &h,
            &Default::default()
        ));
        assert!(!verify_with(
            &mut Vec::new(),
            "pw pw pw pw pX",
            &h,
            &Default::default()
        ));
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once() {
        let pool = PasswordHasher::new(1, 1);
        // Every slot taken, as by two sign-ins in progress.
        let taken = pool.slots.clone().acquire_many_owned(2).await.unwrap();
        assert_eq!(pool.hash("some long password".into()).await, Err(Busy));
        assert_eq!(
            pool.verify("some long password".into(), None).await,
            Err(Busy)
        );
        drop(taken);
        assert!(pool.hash("some long password".into()).await.is_ok());
    }
}
