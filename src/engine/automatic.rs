//! Automatic transitions (`when`): fired after every action, for every record it touched,
//! until none applies.

use super::error::*;
use super::eval;
use super::events::RecordId;
use super::step::Step;
use super::{EngineError, MAX_AUTOMATIC_STEPS};
use crate::bundle::Transition;

impl<'b> Step<'_, 'b> {
    pub fn run_automatic(&mut self) -> Result<(), EngineError> {
        loop {
            let mut fired = false;
            let ids: Vec<RecordId> = self.tx.touched.iter().copied().collect();
            for id in ids {
                let Some(t) = self.automatic_for(id)? else {
                    continue;
                };
                self.tx.autos += 1;
                if self.tx.autos > MAX_AUTOMATIC_STEPS {
                    return Err(EngineError::new(
                        AUTOMATIC_LOOP,
                        format!("automatic transitions keep firing (last: `{}`)", t.id),
                    ));
                }
                self.do_move(id, t, None)?;
                fired = true;
            }
            if !fired {
                return Ok(());
            }
        }
    }

    /// The first automatic transition out of the record's status that holds and whose
    /// requirements are met.
    fn automatic_for(&self, id: RecordId) -> Result<Option<&'b Transition>, EngineError> {
        let Some(r) = self.w.records.get(&id) else {
            return Ok(None);
        };
        let e = self.e;
        let (ix, p) = e.index(&r.process)?;
        let Some(autos) = ix.auto.get(&r.status) else {
            return Ok(None);
        };
        if r.approval.is_some() {
            return Ok(None);
        }
        let cx = eval::Ctx {
            process: p,
            record: r,
            now: self.now,
            offset: self.w.offset,
        };
        Ok(autos.iter().map(|&i| &p.transitions[i]).find(|t| {
            t.when.as_ref().is_some_and(|c| eval::holds(&c.expr, &cx))
                && self
                    .check_requires(id, &e.status(&p.name, &t.to).requires, &t.requires)
                    .is_ok()
        }))
    }
}
