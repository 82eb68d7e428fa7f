//! `Move`: a manual transition, by someone its `by` allows, with the fields it requires.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::error::*;
use super::super::events::RecordId;
use super::super::rights::Via;
use super::super::step::Step;
use super::super::EngineError;

impl Step<'_, '_> {
    pub fn move_to(
        &mut self,
        record: RecordId,
        to: &str,
        fields: BTreeMap<String, Value>,
    ) -> Result<(), EngineError> {
        let e = self.e;
        let (_, p) = self.record_process(record)?;
        let r = self.rec(record);
        let t = e.transition(&p.name, &r.status, to).ok_or_else(|| {
            EngineError::new(
                NO_SUCH_TRANSITION,
                format!("no transition from `{}` to `{to}`", r.status),
            )
        })?;
        if let Some(c) = &t.when {
            return Err(EngineError::new(
                NOT_ALLOWED,
                format!("`{}` is automatic: it fires when `{}`", t.id, c.source),
            ));
        }
        if r.approval.is_some() {
            return Err(EngineError::new(
                NOT_ALLOWED,
                "an approval is pending on this record",
            ));
        }
        if !e.may_trigger(p, r, t, self.actor) {
            return Err(EngineError::new(
                NOT_ALLOWED,
                format!("`{}` may not take `{}`", self.actor.user, t.id),
            ));
        }
        let values = self.checked_writes(p, &r.fields, false, &fields, Via::Move(t))?;
        self.write(record, values);
        let by = Some(self.actor.user.clone());
        self.take(record, t, by, None)
    }
}
