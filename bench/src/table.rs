//! The one table every benchmark prints into: a figure beside its floor, the
//! ratio between them, the target, and whether it is met.

/// One measured figure.
pub struct Row {
    pub what: String,
    pub figure: f64,
    /// The same measurement of the simplest thing that does the job, if any.
    pub floor: Option<f64>,
    pub unit: &'static str,
    pub target: Target,
}

/// What the figure should be.
pub enum Target {
    /// The figure at most this.
    AtMost(f64),
    /// Figure ÷ floor at most this.
    RatioAtMost(f64),
    /// Figure ÷ floor at least this.
    RatioAtLeast(f64),
    /// Shown for context only.
    None,
}

impl Row {
    fn ratio(&self) -> Option<f64> {
        self.floor.filter(|f| *f > 0.0).map(|f| self.figure / f)
    }

    fn target_text(&self) -> String {
        match self.target {
            Target::AtMost(v) => format!("≤ {} {}", number(v), self.unit),
            Target::RatioAtMost(r) => format!("ratio ≤ {r}"),
            Target::RatioAtLeast(r) => format!("ratio ≥ {r}"),
            Target::None => "-".into(),
        }
    }

    fn met(&self) -> &'static str {
        let ok = match (&self.target, self.ratio()) {
            (Target::AtMost(v), _) => self.figure <= *v,
            (Target::RatioAtMost(r), Some(x)) => x <= *r,
            (Target::RatioAtLeast(r), Some(x)) => x >= *r,
            (Target::None, _) => return "",
            _ => false,
        };
        if ok {
            "met"
        } else {
            "NOT met"
        }
    }
}

fn number(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Prints the rows as one aligned table.
pub fn print(rows: &[Row]) {
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.what.clone(),
                format!("{} {}", number(r.figure), r.unit),
                r.floor
                    .map_or("-".into(), |f| format!("{} {}", number(f), r.unit)),
                r.ratio().map_or("-".into(), |x| format!("{x:.2}")),
                r.target_text(),
                r.met().into(),
            ]
        })
        .collect();
    let header = ["figure", "measured", "floor", "ratio", "target", ""];
    let mut widths = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    println!();
    println!("{}", line(&header.map(String::from)));
    println!("{}", widths.map(|w| "-".repeat(w)).join("-|-"));
    for row in &cells {
        println!("{}", line(row));
    }
}
