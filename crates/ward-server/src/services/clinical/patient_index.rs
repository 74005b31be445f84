//! Clinical safety checks at send time: the checks of `ward_core::safety`, the index of
//! registered patients they search for, and the organisation policy that turns findings into
//! blocks.
//!
//! The index holds every registered patient's name and MRN, opened from the sealed registry
//! once and kept in memory (never logged, never persisted). A patient registered on this node is
//! added at once; the whole index is reloaded in the background when it is older than
//! [`INDEX_TTL`], which is how another node's patients arrive.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use ward_core::id::PatientId;
use ward_core::patient::Demographics;
use ward_core::safety::{RegisteredPatient, RegisteredPatients};

use super::Patients;
use crate::services::ServiceError;

/// How long the patient index is used before it is reloaded from the registry.
const INDEX_TTL: Duration = Duration::from_secs(30);
/// Patients read per page while loading the index.
const LOAD_PAGE: u32 = 500;

/// A registered patient's searchable identifiers, kept to rebuild the matcher cheaply.
#[derive(Debug, Clone)]
struct Entry {
    given_name: String,
    family_name: String,
    mrn: String,
}

impl From<&Demographics> for Entry {
    fn from(d: &Demographics) -> Self {
        Self {
            given_name: d.given_name.clone(),
            family_name: d.family_name.clone(),
            mrn: d.mrn.as_str().to_owned(),
        }
    }
}

#[derive(Debug)]
struct Loaded {
    entries: Vec<Entry>,
    matcher: Arc<RegisteredPatients>,
    at: Instant,
}

impl Loaded {
    fn new(entries: Vec<Entry>) -> Self {
        let matcher = RegisteredPatients::new(entries.iter().map(|e| RegisteredPatient {
            given_name: &e.given_name,
            family_name: &e.family_name,
            mrn: &e.mrn,
        }));
        Self {
            entries,
            matcher: Arc::new(matcher),
            at: Instant::now(),
        }
    }
}

/// The in-memory index of registered patients' names and MRNs.
#[derive(Debug, Default)]
pub struct PatientIndex {
    loaded: RwLock<Option<Loaded>>,
    reloading: AtomicBool,
}

impl PatientIndex {
    fn current(&self) -> Option<(Arc<RegisteredPatients>, bool)> {
        let guard = self.loaded.read().ok()?;
        let loaded = guard.as_ref()?;
        Some((Arc::clone(&loaded.matcher), loaded.at.elapsed() < INDEX_TTL))
    }

    fn replace(&self, loaded: Loaded) -> Arc<RegisteredPatients> {
        let matcher = Arc::clone(&loaded.matcher);
        if let Ok(mut guard) = self.loaded.write() {
            *guard = Some(loaded);
        }
        matcher
    }
}

impl Patients {
    /// Adds a patient registered on this node to the index at once.
    pub(crate) fn patient_registered(&self, demographics: &Demographics) {
        let Ok(mut guard) = self.index.loaded.write() else {
            return;
        };
        if let Some(loaded) = guard.take() {
            let at = loaded.at;
            let mut entries = loaded.entries;
            entries.push(Entry::from(demographics));
            *guard = Some(Loaded {
                at,
                ..Loaded::new(entries)
            });
        }
    }

    /// The index, loading it on first use and reloading it in the background once stale.
    pub(crate) async fn registered_patients(
        &self,
    ) -> Result<Arc<RegisteredPatients>, ServiceError> {
        match self.index.current() {
            Some((matcher, true)) => Ok(matcher),
            Some((matcher, false)) => {
                if !self.index.reloading.swap(true, Ordering::AcqRel) {
                    let services = self.clone();
                    tokio::spawn(async move {
                        match services.load_patients().await {
                            Ok(loaded) => {
                                services.index.replace(loaded);
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "reloading the patient index failed")
                            }
                        }
                        services.index.reloading.store(false, Ordering::Release);
                    });
                }
                Ok(matcher)
            }
            None => {
                let loaded = self.load_patients().await?;
                Ok(self.index.replace(loaded))
            }
        }
    }

    async fn load_patients(&self) -> Result<Loaded, ServiceError> {
        let mut entries = Vec::new();
        let mut after: Option<PatientId> = None;
        loop {
            let page = self.store.patients_page(after, LOAD_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            let full = page.len() == LOAD_PAGE as usize;
            for record in page {
                let demographics = self.open_demographics(&record).await?;
                entries.push(Entry::from(&demographics));
            }
            if !full {
                break;
            }
        }
        Ok(Loaded::new(entries))
    }
}
