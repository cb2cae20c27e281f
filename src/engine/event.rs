//! The events of a trial and their tie-break classes (`docs/MODEL.md` section 1). An event only
//! names what happens and to which item (crisis, unit, exercise, post); the mechanism that owns
//! that item handles it (`crate::model::world` maps each event to its mechanism).

/// Everything that can happen in a trial. The payload is the index of the item concerned in the
/// scenario's (or the trial's) list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    YearEnd(u32),
    YearStart(u32),
    Shock,
    CrisisEnd(u32),
    UnitFree(u32),
    ExerciseEnd(u32),
    /// A partner's own exercise the country was invited to ends (payload: the host partner).
    InvitationEnd(u32),
    PersonnelChange,
    PostOpen(u32),
    Tick(u32),
    ExerciseStart(u32),
    /// A partner's own exercise the country was invited to starts (payload: the host partner).
    InvitationStart(u32),
    CrisisArrival(u32),
    CrisisDetected(u32),
    CrisisDeadline(u32),
}

impl Event {
    /// Tie-break order at equal times: the year closes before the next opens; units come home
    /// and posts reopen before new demands are looked at, so a unit freed at the instant a
    /// crisis arrives can answer it.
    pub fn class(self) -> u8 {
        match self {
            Event::YearEnd(_) => 0,
            Event::YearStart(_) => 1,
            Event::Shock => 2,
            Event::CrisisEnd(_) => 3,
            Event::UnitFree(_) => 4,
            Event::ExerciseEnd(_) => 5,
            Event::InvitationEnd(_) => 6,
            Event::PersonnelChange => 7,
            Event::PostOpen(_) => 8,
            Event::Tick(_) => 9,
            Event::ExerciseStart(_) => 10,
            Event::InvitationStart(_) => 11,
            Event::CrisisArrival(_) => 12,
            Event::CrisisDetected(_) => 13,
            Event::CrisisDeadline(_) => 14,
        }
    }
}
