//! The statistics the engine reports and its tests check against: the normal distribution,
//! lognormal draws, and confidence intervals of proportions and means.

use planner::Rng;

/// The 95 % two-sided normal quantile.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The error function, to 1.2e-7 (Numerical Recipes' erfc by Chebyshev fitting).
pub fn erf(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    if x >= 0.0 { 1.0 - erfc } else { erfc - 1.0 }
}

/// The standard normal distribution function Φ.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * (1.0 + erf(x / std::f64::consts::SQRT_2))
}

/// A standard normal draw (Box–Muller; one of the pair).
pub fn standard_normal(rng: &mut Rng) -> f64 {
    let u1 = 1.0 - rng.unit(); // (0, 1]
    let u2 = rng.unit();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A lognormal draw: `exp(mu + sigma · Z)`.
pub fn lognormal(rng: &mut Rng, mu: f64, sigma: f64) -> f64 {
    (mu + sigma * standard_normal(rng)).exp()
}

/// A Poisson draw (Knuth's product method: the means here are small).
pub fn poisson(rng: &mut Rng, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    let limit = (-mean).exp();
    let mut product = rng.unit();
    let mut count = 0;
    while product > limit && count < 1000 {
        product *= rng.unit();
        count += 1;
    }
    count
}

/// An estimate with its 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    /// A proportion of `successes` in `n` trials, with Wilson's interval (good near 0 and 1).
    pub fn proportion(successes: u64, n: u64) -> Self {
        if n == 0 {
            return Self {
                value: 0.0,
                low: 0.0,
                high: 1.0,
            };
        }
        let (n, p) = (n as f64, successes as f64 / n as f64);
        let z2 = Z95 * Z95;
        let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
        let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        Self {
            value: p,
            // Rounding must not leave the estimate outside its own interval at 0 or 1.
            low: (centre - half).clamp(0.0, p),
            high: (centre + half).clamp(p, 1.0),
        }
    }

    /// A mean from running sums, with the normal interval `mean ± z·s/√n`.
    pub fn mean(sum: f64, sum_of_squares: f64, n: u64) -> Self {
        if n == 0 {
            return Self {
                value: 0.0,
                low: 0.0,
                high: 0.0,
            };
        }
        let nf = n as f64;
        let mean = sum / nf;
        let variance = if n > 1 {
            ((sum_of_squares - nf * mean * mean) / (nf - 1.0)).max(0.0)
        } else {
            0.0
        };
        let half = Z95 * (variance / nf).sqrt();
        Self {
            value: mean,
            low: mean - half,
            high: mean + half,
        }
    }

    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }

    pub fn width(&self) -> f64 {
        self.high - self.low
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_distribution_function_matches_its_table() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.0) - 0.841_344_746).abs() < 1e-6);
        assert!((normal_cdf(-1.959_964) - 0.025).abs() < 1e-6);
        assert!((normal_cdf(2.5) - 0.993_790_335).abs() < 1e-6);
    }

    #[test]
    fn draws_have_their_distributions_moments() {
        let mut rng = Rng::new(7);
        let n = 200_000;
        let (mut sum, mut squares) = (0.0, 0.0);
        for _ in 0..n {
            let z = standard_normal(&mut rng);
            sum += z;
            squares += z * z;
        }
        assert!((sum / n as f64).abs() < 0.01);
        assert!((squares / n as f64 - 1.0).abs() < 0.01);
        let mean: f64 = (0..n).map(|_| lognormal(&mut rng, 0.0, 0.25)).sum::<f64>() / n as f64;
        assert!((mean - (0.25f64 * 0.25 / 2.0).exp()).abs() < 0.003);
        let poisson_mean: f64 = (0..n)
            .map(|_| f64::from(poisson(&mut rng, 1.5)))
            .sum::<f64>()
            / n as f64;
        assert!((poisson_mean - 1.5).abs() < 0.01);
    }

    #[test]
    fn wilson_intervals_stay_within_zero_and_one() {
        let none = Estimate::proportion(0, 100);
        assert!(none.low.abs() < 1e-12);
        assert!(none.high > 0.0 && none.high < 0.05);
        let half = Estimate::proportion(500, 1000);
        assert!(half.contains(0.5) && (half.width() - 0.062).abs() < 0.001);
    }
}
