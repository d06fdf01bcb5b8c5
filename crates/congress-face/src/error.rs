//! Error type of the crate: every failure is a typed variant with a message that says what
//! went wrong and, where the operator can do something about it, how to fix it.

use std::path::PathBuf;

/// How to (re)create the model files; quoted in every model error.
pub const MODELS_FIX: &str =
    "run `cargo xtask models` (or `python3 models/setup.py`) from the repository root";

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    /// The bytes are not a JPEG or PNG image.
    #[error("not an image: the data is not a JPEG or PNG file")]
    NotAnImage,
    /// An image in a format other than JPEG or PNG.
    #[error("unsupported image format {0}: send a JPEG or PNG")]
    UnsupportedFormat(String),
    /// The image header announces more pixels than allowed; nothing was decoded.
    #[error("image too large: {width}x{height} is {pixels} pixels, the limit is {max_pixels}")]
    ImageTooLarge {
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
        /// width × height.
        pixels: u64,
        /// Configured maximum.
        max_pixels: u64,
    },
    /// The image is too small to contain a usable face.
    #[error("image too small: {width}x{height}, each side must be at least {min_side} pixels")]
    ImageTooSmall {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
        /// Configured minimum side.
        min_side: u32,
    },
    /// The image is truncated or corrupt.
    #[error("image is truncated or corrupt: {0}")]
    CorruptImage(String),
    /// A model file (or the ONNX Runtime library) is missing.
    #[error("model file {path} is missing; {fix}", fix = MODELS_FIX)]
    ModelMissing {
        /// Expected location.
        path: PathBuf,
    },
    /// A model file does not match the checksum manifest.
    #[error(
        "model file {path} is corrupted or outdated (SHA-256 {actual}, expected {expected} from SHA256SUMS); {fix}",
        fix = MODELS_FIX
    )]
    ModelCorrupt {
        /// The file.
        path: PathBuf,
        /// Digest listed in the manifest.
        expected: String,
        /// Digest of the file on disk.
        actual: String,
    },
    /// The checksum manifest is missing or does not list the file.
    #[error("cannot verify model file {path}: {reason}; {fix}", fix = MODELS_FIX)]
    ModelUnverified {
        /// The file.
        path: PathBuf,
        /// Why it cannot be verified.
        reason: String,
    },
    /// ONNX Runtime could not be loaded or initialised.
    #[error("cannot initialise ONNX Runtime from {path}: {message}")]
    RuntimeInit {
        /// The shared library path.
        path: PathBuf,
        /// ORT's message.
        message: String,
    },
    /// ONNX Runtime failed to build a session or run a model.
    #[error("ONNX Runtime error in {model}: {message}")]
    Inference {
        /// Which model.
        model: &'static str,
        /// ORT's message.
        message: String,
    },
    /// The model produced outputs of an unexpected shape.
    #[error("model {model} produced unexpected output: {message}")]
    BadModelOutput {
        /// Which model.
        model: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The work queue is full: the caller should drop this frame and try a later one.
    #[error("face workers overloaded: the queue of {capacity} frames is full, frame dropped")]
    Overloaded {
        /// Queue capacity.
        capacity: usize,
    },
    /// The worker threads have stopped (shut down or crashed).
    #[error("face workers have stopped")]
    WorkersStopped,
    /// Invalid configuration.
    #[error("invalid face configuration: {0}")]
    Config(String),
    /// Serialised embedding bytes are malformed.
    #[error("invalid embedding bytes: {0}")]
    BadEmbedding(String),
    /// An embedding's dimension does not fit the gallery.
    #[error("embedding has {got} values but the gallery holds {expected}-value embeddings")]
    DimensionMismatch {
        /// Gallery dimension.
        expected: usize,
        /// Given dimension.
        got: usize,
    },
    /// File-system error while reading models.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl FaceError {
    /// A stable key for user-facing messages (translated by the front end).
    pub fn message_key(&self) -> &'static str {
        match self {
            FaceError::NotAnImage => "face.error.not_an_image",
            FaceError::UnsupportedFormat(_) => "face.error.unsupported_format",
            FaceError::ImageTooLarge { .. } => "face.error.image_too_large",
            FaceError::ImageTooSmall { .. } => "face.error.image_too_small",
            FaceError::CorruptImage(_) => "face.error.corrupt_image",
            FaceError::Overloaded { .. } => "face.error.overloaded",
            FaceError::BadEmbedding(_) | FaceError::DimensionMismatch { .. } => {
                "face.error.bad_embedding"
            }
            FaceError::Config(_) => "face.error.config",
            _ => "face.error.internal",
        }
    }
}
