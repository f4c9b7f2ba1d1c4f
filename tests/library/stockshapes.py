"""Answers in the shapes Pexels and Pixabay document for their search endpoints, pointing at
files on the local fake server."""


def pexels_photos(base: str, ids=(2014422,)) -> dict:
    return {
        "total_results": 10000,
        "page": 1,
        "per_page": len(ids),
        "photos": [
            {
                "id": pid,
                "width": 3024,
                "height": 3024,
                "url": f"https://www.pexels.com/photo/lighthouse-{pid}/",
                "photographer": "Joey Farina",
                "photographer_url": "https://www.pexels.com/@joey",
                "photographer_id": 680589,
                "avg_color": "#978E82",
                "src": {
                    "original": f"{base}/files/{pid}.png",
                    "large2x": f"{base}/files/{pid}.png",
                    "large": f"{base}/files/{pid}.png",
                    "medium": f"{base}/files/{pid}.png",
                    "small": f"{base}/files/{pid}.png",
                    "portrait": f"{base}/files/{pid}.png",
                    "landscape": f"{base}/files/{pid}.png",
                    "tiny": f"{base}/files/{pid}.png",
                },
                "liked": False,
                "alt": "White lighthouse on a rocky coast",
            }
            for pid in ids
        ],
        "next_page": "https://api.pexels.com/v1/search/?page=2&per_page=1&query=lighthouse",
    }


def pexels_videos(base: str, vid=1448735) -> dict:
    return {
        "page": 1,
        "per_page": 1,
        "total_results": 20475,
        "url": "https://www.pexels.com/videos/",
        "videos": [
            {
                "id": vid,
                "width": 4096,
                "height": 2160,
                "url": f"https://www.pexels.com/video/waves-at-the-lighthouse-{vid}/",
                "image": f"{base}/files/poster.jpg",
                "duration": 32,
                "user": {
                    "id": 574687,
                    "name": "Ruvim Miksanskiy",
                    "url": "https://www.pexels.com/@digitech",
                },
                "video_files": [
                    {
                        "id": 58649,
                        "quality": "sd",
                        "file_type": "video/mp4",
                        "width": 640,
                        "height": 338,
                        "fps": 25.0,
                        "link": f"{base}/files/sd.mp4",
                    },
                    {
                        "id": 58650,
                        "quality": "hd",
                        "file_type": "video/mp4",
                        "width": 1280,
                        "height": 720,
                        "fps": 25.0,
                        "link": f"{base}/files/{vid}.mp4",
                    },
                    {
                        "id": 58651,
                        "quality": "uhd",
                        "file_type": "video/mp4",
                        "width": 4096,
                        "height": 2160,
                        "fps": 25.0,
                        "link": f"{base}/files/uhd.mp4",
                    },
                ],  # fmt: skip
                "video_pictures": [{"id": 133236, "picture": f"{base}/files/p.jpg", "nr": 0}],
            }
        ],
    }


def pixabay_images(base: str, hid=195893) -> dict:
    return {
        "total": 4692,
        "totalHits": 500,
        "hits": [
            {
                "id": hid,
                "pageURL": f"https://pixabay.com/en/blossom-bloom-flower-{hid}/",
                "type": "photo",
                "tags": "lighthouse, sea, storm",
                "previewURL": f"{base}/files/preview.png",
                "previewWidth": 150,
                "previewHeight": 84,
                "webformatURL": f"{base}/files/{hid}.png",
                "webformatWidth": 640,
                "webformatHeight": 360,
                "largeImageURL": f"{base}/files/{hid}.png",
                "imageWidth": 4000,
                "imageHeight": 2250,
                "imageSize": 4731420,
                "views": 7671,
                "downloads": 6439,
                "likes": 5,
                "comments": 2,
                "user_id": 48777,
                "user": "Josch13",
                "userImageURL": "https://cdn.pixabay.com/user/2013/11/05/02-10-23-764_250x250.jpg",
            }
        ],
    }


def pixabay_videos(base: str, hid=125) -> dict:
    def rendition(name, width, height):
        return {"url": f"{base}/files/{hid}-{name}.mp4", "width": width, "height": height,
                "size": 1000, "thumbnail": f"{base}/files/t.jpg"}  # fmt: skip

    return {
        "total": 4,
        "totalHits": 4,
        "hits": [
            {
                "id": hid,
                "pageURL": f"https://pixabay.com/videos/id-{hid}/",
                "type": "film",
                "tags": "flowers, yellow, blossom",
                "duration": 12,
                "videos": {
                    "large": rendition("large", 1920, 1080),
                    "medium": rendition("medium", 1280, 720),
                    "small": rendition("small", 960, 540),
                    "tiny": rendition("tiny", 640, 360),
                },
                "views": 4462,
                "downloads": 1464,
                "likes": 18,
                "comments": 0,
                "user_id": 1281706,
                "user": "Coverr-Free-Footage",
                "userImageURL": "https://cdn.pixabay.com/user/2015/10/16/09-28-45-303_250x250.png",
            }
        ],
    }
