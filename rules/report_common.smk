# Targets and params of rules/report.smk.


def report_targets():
    return [
        f"results/{channel.id}/{video}.{kind}"
        for channel in CHANNELS.values()
        for video in channel.videos
        for kind in ("contact.png", "page")
    ]


def contact_spec(wildcards):
    video = video_of(wildcards)
    segments = [{"id": s.id, "text": s.text} for s in video.segments]
    return canonical_json({"title": video.title, "segments": segments})


def page_spec(wildcards):
    video = video_of(wildcards)
    used = {
        "config": {key: config[key] for key in ("preset", "encoder", "loudness")},
        "channel": channel_of(wildcards).settings,
    }
    return canonical_json({"title": video.title, "video": video.id, "settings": used})
