fn main() -> std::process::ExitCode {
    platform::run("billing-run", billing_run::router)
}
