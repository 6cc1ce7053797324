"""`manage.py generate_image`: one generation from the shell, through the same registry and providers as runs.

Nothing is saved in the database. Works with the offline model and no key, and against any OpenAI-compatible
endpoint via OPENAI_BASE_URL.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from generation import pricing, registry
from generation.models import ImageModel, ModelState
from generation.providers import get_provider
from generation.providers.base import GenerationRequest, ProgressEvent, ReferenceImage
from generation.providers.errors import ProviderError
from generation.storage import NotAnImageError, check_image

SUFFIX_FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp"}


def output_paths(out: Path, count: int) -> list[Path]:
    """PATH for one image; PATH-1.png, PATH-2.png ... for several."""
    if count == 1:
        return [out]
    return [out.with_name(f"{out.stem}-{i}{out.suffix}") for i in range(1, count + 1)]


class Command(BaseCommand):
    help = "Generate image(s) with a registry model and write them to a file."

    def add_arguments(self, parser):
        parser.add_argument("--model", default="", help="Registry key (default: the site default model).")
        parser.add_argument("--prompt", required=True)
        parser.add_argument("--size", default="1024x1024")
        parser.add_argument("--quality", default="medium")
        parser.add_argument("--background", default="auto")
        parser.add_argument("--format", dest="output_format", default="", help="png, jpeg or webp")
        parser.add_argument("--compression", type=int, default=None, help="0-100, for jpeg and webp")
        parser.add_argument("--n", type=int, default=1)
        parser.add_argument("--seed", type=int, default=0, help="The offline model's seed.")
        parser.add_argument("--reference", action="append", default=[], metavar="FILE")
        parser.add_argument("--out", required=True, metavar="PATH")

    def handle(self, *args, **options):
        out = Path(options["out"])
        output_format = options["output_format"] or SUFFIX_FORMATS.get(out.suffix.lower(), "png")
        params = {
            "size": options["size"],
            "quality": options["quality"],
            "background": options["background"],
            "output_format": output_format,
            "n": options["n"],
        }
        if options["compression"] is not None:
            params["output_compression"] = options["compression"]
        references = [self._reference(Path(name)) for name in options["reference"]]
        requested = self._model(options["model"])
        try:
            model = registry.serving_model(requested, params, prompt=options["prompt"], reference_count=len(references))
        except registry.ModelRefusedError as exc:
            raise CommandError(exc.owner_message) from exc
        if model.pk != requested.pk:
            self.stdout.write(
                f"{requested.display_name} ({requested.key}) was retired on {requested.shutdown_date:%Y-%m-%d}; "
                f"served by its successor {model.display_name} ({model.key})."
            )
        errors = registry.fit_errors(model, params, prompt=options["prompt"], reference_count=len(references))
        if errors:
            raise CommandError(f"{model.display_name} cannot do this: " + " ".join(errors))
        if not registry.is_usable(model):
            raise CommandError(f"{model.display_name} needs OPENAI_API_KEY (or use --model offline).")
        spec = registry.spec_for(model)
        request = GenerationRequest(
            prompt=options["prompt"],
            size=params["size"],
            quality=params["quality"],
            background=params["background"],
            output_format=output_format,
            output_compression=options["compression"],
            n=options["n"],
            references=references,
            seed=options["seed"],
            progress=lambda event: self._progress(event),
        )
        estimate = pricing.estimate_run(spec, params, prompt=options["prompt"])
        if model.state == ModelState.DEPRECATED and model.shutdown_date:
            self.stdout.write(
                self.style.WARNING(
                    f"{model.display_name} is deprecated: it shuts down on {model.shutdown_date:%Y-%m-%d} "
                    f"({model.days_left} days left)."
                )
            )
        sent = spec.vendor_id or "nothing: built in"
        if spec.tool_image_model is not None:
            sent += f", image tool {spec.tool_image_model.vendor_id}"
        self.stdout.write(f"Generating with {model.key} (sending {sent})...")
        try:
            result = get_provider(model.provider).generate(spec, request)
        except ProviderError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        paths = output_paths(out, len(result.images))
        for path, image in zip(paths, result.images, strict=True):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(image.data)
            self.stdout.write(f"Wrote {path} ({image.content_type}, {len(image.data):,} bytes)")
        usage = result.usage
        self.stdout.write(
            "Usage: "
            f"text input {usage.text_input_tokens}, image input {usage.image_input_tokens}, "
            f"image output {usage.image_output_tokens} tokens"
            + (
                f"; text model {usage.text_model_input_tokens} in / {usage.text_model_output_tokens} out"
                if usage.text_model_input_tokens or usage.text_model_output_tokens
                else ""
            )
        )
        cost = pricing.cost_from_usage(spec, usage)
        self.stdout.write(f"Cost: ${cost:.6f} (estimate before the call: ${estimate:.6f})")
        if result.vendor_request_id:
            self.stdout.write(f"Request id: {result.vendor_request_id}; {result.latency_ms} ms")

    def _model(self, key: str) -> ImageModel:
        if not key:
            return registry.site_default_model()
        try:
            return ImageModel.objects.select_related("successor", "tool_image_model").get(key=key)
        except ImageModel.DoesNotExist as exc:
            keys = ", ".join(ImageModel.objects.values_list("key", flat=True))
            raise CommandError(f"No model {key!r} in the registry (one of: {keys}).") from exc

    def _reference(self, path: Path) -> ReferenceImage:
        try:
            checked = check_image(path.read_bytes())
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except NotAnImageError as exc:
            raise CommandError(f"{path} is not an image: {exc}") from exc
        return ReferenceImage(checked.data, checked.content_type, path.name)

    def _progress(self, event: ProgressEvent) -> None:
        if event.message:
            self.stdout.write(f"  {event.percent}% {event.message}")
