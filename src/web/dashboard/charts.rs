//! Server-side SVG charts (plotters, SVG backend), inlined in the dashboard pages: no JavaScript
//! and no system fonts — plotters only estimates text width for layout and leaves drawing the
//! glyphs to the browser's own fonts.
use plotters::prelude::*;

use crate::domain::report::day_label;

const WIDTH: u32 = 600;
const LINE_HEIGHT: u32 = 260;
const BAR_ROW: u32 = 22;
const FONT: &str = "sans-serif";

const PALETTE: [RGBColor; 4] = [
    RGBColor(37, 99, 235),
    RGBColor(217, 119, 6),
    RGBColor(22, 163, 74),
    RGBColor(190, 24, 93),
];
const PREVIOUS: RGBColor = RGBColor(148, 163, 184);

/// One line of a daily chart.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<f64>,
}

/// A line chart of daily figures from `first_day`, one line per series, with the previous period's
/// first series dashed behind them for comparison. Returns `<svg …>` markup, or an empty string
/// (logged) should drawing fail: the tables beside the charts carry the same numbers.
pub fn daily_lines(
    title: &str,
    y_label: &str,
    first_day: i64,
    series: &[Series],
    previous: Option<&Series>,
) -> String {
    let mut svg = String::new();
    let drawn = draw_lines(&mut svg, title, y_label, first_day, series, previous);
    finish(svg, drawn, title)
}

fn finish(svg: String, drawn: Result<(), String>, title: &str) -> String {
    match drawn {
        Ok(()) => svg,
        Err(e) => {
            tracing::warn!(chart = title, error = %e, "chart not drawn");
            String::new()
        }
    }
}

fn draw_lines(
    svg: &mut String,
    title: &str,
    y_label: &str,
    first_day: i64,
    series: &[Series],
    previous: Option<&Series>,
) -> Result<(), String> {
    let days = series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(0)
        .max(2);
    let top = series
        .iter()
        .chain(previous)
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0_f64, f64::max);
    let y_max = nice_ceiling(top);
    let root = SVGBackend::with_string(svg, (WIDTH, LINE_HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FONT, 16))
        .margin(8)
        .x_label_area_size(32)
        .y_label_area_size(52)
        .build_cartesian_2d(0..(days as i64 - 1), 0.0..y_max)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .light_line_style(RGBColor(241, 245, 249))
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&|i| day_label(first_day + i)[5..].to_owned())
        .y_label_formatter(&|v| short_number(*v))
        .x_desc("day (UTC)")
        .y_desc(y_label)
        .label_style((FONT, 11))
        .axis_desc_style((FONT, 12))
        .draw()
        .map_err(|e| e.to_string())?;
    if let Some(prev) = previous {
        let points = prev.values.iter().enumerate().map(|(i, v)| (i as i64, *v));
        chart
            .draw_series(DashedLineSeries::new(
                points,
                4,
                4,
                PREVIOUS.stroke_width(1),
            ))
            .map_err(|e| e.to_string())?
            .label(prev.name)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], PREVIOUS));
    }
    for (s, color) in series.iter().zip(PALETTE.iter().cycle()) {
        let points = s.values.iter().enumerate().map(|(i, v)| (i as i64, *v));
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))
            .map_err(|e| e.to_string())?
            .label(s.name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(203, 213, 225))
        .label_font((FONT, 11))
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}

/// A horizontal bar chart, one labelled bar per entry, in the given order.
pub fn bars(
    title: &str,
    x_label: &str,
    entries: &[(String, f64)],
    format: fn(f64) -> String,
) -> String {
    let mut svg = String::new();
    let drawn = draw_bars(&mut svg, title, x_label, entries, format);
    finish(svg, drawn, title)
}

fn draw_bars(
    svg: &mut String,
    title: &str,
    x_label: &str,
    entries: &[(String, f64)],
    format: fn(f64) -> String,
) -> Result<(), String> {
    let n = entries.len().max(1);
    let height = 70 + BAR_ROW * n as u32;
    let x_max = nice_ceiling(entries.iter().map(|e| e.1).fold(0.0, f64::max));
    let label_width = entries
        .iter()
        .map(|e| e.0.chars().count())
        .max()
        .unwrap_or(4);
    let root = SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FONT, 16))
        .margin(8)
        .x_label_area_size(32)
        .y_label_area_size((label_width as u32 * 7 + 12).clamp(40, 180))
        .build_cartesian_2d(0.0..x_max, (0..n as i32).into_segmented())
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(RGBColor(241, 245, 249))
        .x_labels(5)
        .y_labels(n)
        .x_label_formatter(&|v| format(*v))
        .y_label_formatter(&|seg| match seg {
            SegmentValue::CenterOf(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| (n - 1).checked_sub(i))
                .and_then(|row| entries.get(row))
                .map(|e| e.0.clone())
                .unwrap_or_default(),
            _ => String::new(),
        })
        .x_desc(x_label)
        .label_style((FONT, 11))
        .axis_desc_style((FONT, 12))
        .draw()
        .map_err(|e| e.to_string())?;
    // The first entry is drawn at the top: plotters counts segments upwards.
    chart
        .draw_series(entries.iter().enumerate().map(|(i, (_, value))| {
            let row = (n - 1 - i) as i32;
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(row)),
                    (*value, SegmentValue::Exact(row + 1)),
                ],
                PALETTE[0].filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            bar
        }))
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())?;
    Ok(())
}

/// A round upper bound for an axis: 1, 2 or 5 times a power of ten, at least 1.
fn nice_ceiling(max: f64) -> f64 {
    if !max.is_finite() || max <= 1.0 {
        return 1.0;
    }
    let magnitude = 10_f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|step| step * magnitude)
        .find(|bound| *bound >= max)
        .unwrap_or(10.0 * magnitude)
}

/// `950`, `1.2k`, `3.4M`: axis labels stay short.
pub fn short_number(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if a.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// Seconds as `45 min` or `3.2 h`.
pub fn duration(seconds: f64) -> String {
    if seconds < 3600.0 {
        format!("{:.0} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

/// A share as `12%`.
pub fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_bounds_are_round() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(12.0), 20.0);
        assert_eq!(nice_ceiling(420.0), 500.0);
    }

    #[test]
    fn charts_are_standalone_svg_with_labelled_axes() {
        let line = daily_lines(
            "Posts per day",
            "posts",
            20_000,
            &[Series {
                name: "posts",
                values: vec![1.0, 4.0, 2.0],
            }],
            Some(&Series {
                name: "previous period",
                values: vec![2.0, 2.0, 2.0],
            }),
        );
        assert!(line.starts_with("<svg"), "{line}");
        assert!(line.contains("Posts per day") && line.contains("day (UTC)"));
        let bar = bars(
            "Median wait",
            "hours",
            &[("rust".into(), 3.0), ("go&c".into(), 1.0)],
            short_number,
        );
        assert!(bar.contains(">rust") || bar.contains("rust\n"), "{bar}");
        assert!(bar.contains("go&amp;c"), "labels are escaped: {bar}");
    }
}
