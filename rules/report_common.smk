# Targets and params of rules/report.smk.


def report_targets():
    return [
        LAYOUT.video(suffix, video.channel, video.id)
        for video in PROJECT.valid_videos()
        for suffix in (".contact.png", ".page")
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


def video_records(wildcards):
    video = video_of(wildcards)
    ids = [segment.id for segment in video.segments]
    return canonical_json(LAYOUT.video_records(video.channel, video.id, ids))
