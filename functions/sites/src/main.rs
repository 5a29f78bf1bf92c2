fn main() -> std::process::ExitCode {
    platform::run("sites", sites::router)
}
